package dev.rerank4j.examples.chat;

import dev.langchain4j.service.Result;

/** The LangChain4j AI service of the bot; {@link Result#sources()} carries the passages that reached the prompt. */
interface Assistant {
    Result<String> chat(String question);
}

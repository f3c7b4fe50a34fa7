package dev.rerank4j.examples.chat;

import dev.langchain4j.service.TokenStream;

/** The streaming variant: tokens are printed as they arrive. */
interface StreamingAssistant {
    TokenStream chat(String question);
}

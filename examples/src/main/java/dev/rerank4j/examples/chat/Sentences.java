package dev.rerank4j.examples.chat;

import java.util.ArrayList;
import java.util.List;

/** Splits text into sentences at . ! ? followed by white space (good enough for showing the best sentence). */
final class Sentences {

    private Sentences() {
    }

    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String s : text.strip().split("(?<=[.!?])\\s+")) {
            if (!s.isBlank()) {
                out.add(s.strip());
            }
        }
        return out;
    }
}

package dev.rerank4j.eval.data;

/** A corpus document. */
public record Document(String id, String title, String text) {

    /** The passage text that is ranked: {@code title + " " + text}, or the text alone when the title is empty (BEIR). */
    public String passage() {
        return title == null || title.isEmpty() ? text : title + " " + text;
    }
}

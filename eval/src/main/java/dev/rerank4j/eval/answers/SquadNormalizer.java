package dev.rerank4j.eval.answers;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * The SQuAD evaluation script's answer normalisation: lower case, ASCII punctuation removed, articles
 * (a, an, the) removed, whitespace collapsed.
 */
public final class SquadNormalizer {

    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");
    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private SquadNormalizer() {
    }

    public static String normalize(String text) {
        ensureNotNull(text, "text");
        String lower = text.toLowerCase(java.util.Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                kept.append(c);
            }
        }
        String noArticles = ARTICLES.matcher(kept).replaceAll(" ");
        return WHITESPACE.matcher(noArticles).replaceAll(" ").trim();
    }

    /** Normalised whitespace tokens (for token F1). */
    public static List<String> tokens(String text) {
        String normalized = normalize(text);
        return normalized.isEmpty() ? List.of() : Arrays.asList(normalized.split(" "));
    }
}

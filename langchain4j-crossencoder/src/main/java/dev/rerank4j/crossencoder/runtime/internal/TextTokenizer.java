package dev.rerank4j.crossencoder.runtime.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.util.PairList;
import dev.rerank4j.crossencoder.model.ModelLoadException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's native tokenizers, always loaded from a local path.
 *
 * <p>Pairs are encoded with the tokenizer's own template ({@code [CLS] query [SEP] passage [SEP]} with token types
 * 0/1 for BERT). Truncation keeps the query whole and cuts the passage; only a query that alone leaves no room for
 * the passage falls back to {@code longest_first}, which is what Hugging Face does for every pair. The padding and
 * truncation embedded in tokenizer.json are overridden: nothing is padded here (batches pad to their longest row).
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer untruncated;
    private final HuggingFaceTokenizer passageFirst;
    private final HuggingFaceTokenizer longestFirst;
    private final int maxLength;
    private final int pairSpecialTokens;
    private final long[] singleSpecialIds;
    private final Path file;

    private TextTokenizer(Path file, int maxLength) throws IOException {
        this.file = file;
        this.maxLength = maxLength;
        this.untruncated = HuggingFaceTokenizer.newInstance(file, options("false", maxLength));
        try {
            this.passageFirst = HuggingFaceTokenizer.newInstance(file, options("only_second", maxLength));
            this.longestFirst = HuggingFaceTokenizer.newInstance(file, options("longest_first", maxLength));
        } catch (IOException | RuntimeException e) {
            untruncated.close();
            throw e;
        }
        this.pairSpecialTokens = untruncated.encode("", "", true, false).getIds().length;
        this.singleSpecialIds = untruncated.encode("", true, false).getIds();
    }

    /** Opens {@code tokenizer.json}; {@code maxLength} bounds every pair (special tokens included). */
    public static TextTokenizer open(Path tokenizerFile, int maxLength) {
        if (maxLength < 4) {
            throw new IllegalArgumentException("maxLength must be >= 4, was " + maxLength);
        }
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new ModelLoadException("Missing " + tokenizerFile.getFileName() + " in model directory "
                    + tokenizerFile.toAbsolutePath().getParent());
        }
        try {
            return new TextTokenizer(tokenizerFile, maxLength);
        } catch (IOException | RuntimeException e) {
            throw new ModelLoadException("Cannot load tokenizer " + tokenizerFile.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, String> options(String truncation, int maxLength) {
        return Map.of(
                "truncation", truncation,
                "padding", "false",
                "maxLength", Integer.toString(maxLength),
                "modelMaxLength", Integer.toString(maxLength),
                "addSpecialTokens", "true");
    }

    public int maxLength() {
        return maxLength;
    }

    /** Encodes one (query, passage) pair within {@link #maxLength()} tokens. */
    public EncodedInput encodePair(String query, String passage) {
        return encodePairs(query, List.of(passage)).get(0);
    }

    /**
     * Encodes (query, passage) pairs with one native batch call; results follow the passages' order and say
     * whether a pair was cut to {@link #maxLength()}.
     */
    public List<EncodedInput> encodePairs(String query, List<String> passages) {
        if (passages.isEmpty()) {
            return List.of();
        }
        HuggingFaceTokenizer tokenizer = queryLeavesRoom(query) ? passageFirst : longestFirst;
        PairList<String, String> pairs = new PairList<>(passages.size());
        for (String passage : passages) {
            pairs.add(query, passage);
        }
        Encoding[] encodings = tokenizer.batchEncode(pairs, true, false);
        List<EncodedInput> result = new ArrayList<>(encodings.length);
        for (Encoding encoding : encodings) {
            result.add(new EncodedInput(encoding.getIds(), encoding.getAttentionMask(), encoding.getTypeIds(),
                    encoding.exceedMaxLength()));
        }
        return result;
    }

    private boolean queryLeavesRoom(String query) {
        return tokenIds(query).length + pairSpecialTokens < maxLength;
    }

    /** Token ids of a text without special tokens and without truncation. */
    public long[] tokenIds(String text) {
        return untruncated.encode(text, false, false).getIds();
    }

    /** Token ids of several texts (no special tokens, no truncation) in one native batch call. */
    public List<long[]> tokenIds(List<String> texts) {
        if (texts.isEmpty()) {
            return List.of();
        }
        Encoding[] encodings = untruncated.batchEncode(texts, false, false);
        List<long[]> result = new ArrayList<>(encodings.length);
        for (Encoding encoding : encodings) {
            result.add(encoding.getIds());
        }
        return result;
    }

    /** The ids the template puts around a single sequence, e.g. {@code [CLS], [SEP]} for BERT. */
    public long[] singleSequenceSpecialIds() {
        return singleSpecialIds.clone();
    }

    /** Special tokens the template adds to a pair (3 for BERT). */
    public int pairSpecialTokens() {
        return pairSpecialTokens;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() {
        untruncated.close();
        passageFirst.close();
        longestFirst.close();
    }
}

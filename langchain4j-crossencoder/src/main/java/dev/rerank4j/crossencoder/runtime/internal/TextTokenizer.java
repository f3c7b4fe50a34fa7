package dev.rerank4j.crossencoder.runtime.internal;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.TokenizersLibrary;
import ai.djl.util.PairList;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.Truncation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Hugging Face {@code tokenizer.json} through DJL's native tokenizers, always loaded from a local path.
 *
 * <p>Pairs are encoded with the tokenizer's own template ({@code [CLS] query [SEP] passage [SEP]} with token types
 * 0/1 for BERT, {@code <s> query </s></s> passage </s>} for XLM-RoBERTa, whatever the file's post-processor says).
 * Truncation follows {@link Truncation}: by default the query is kept whole and the passage cut; only a query that
 * alone leaves no room for the passage falls back to {@code longest_first}, which is what Hugging Face does for
 * every pair. The padding and truncation embedded in tokenizer.json are overridden: nothing is padded here
 * (batches pad to their longest row).
 */
public final class TextTokenizer implements AutoCloseable {

    private final HuggingFaceTokenizer untruncated;
    // the truncating instances are made on first use: decoder rerankers cut prompts themselves and never need them,
    // and each instance re-reads tokenizer.json (seconds for an 11 MB LLM vocabulary)
    private volatile HuggingFaceTokenizer passageFirst;
    private volatile HuggingFaceTokenizer longestFirst;
    private final int maxLength;
    private final int pairSpecialTokens;
    private final long[] singleSpecialIds;
    private final Path file;

    private TextTokenizer(Path file, int maxLength) throws IOException {
        this.file = file;
        this.maxLength = maxLength;
        this.untruncated = HuggingFaceTokenizer.newInstance(file, options("false", maxLength));
        this.pairSpecialTokens = untruncated.encode("", "", true, false).getIds().length;
        this.singleSpecialIds = untruncated.encode("", true, false).getIds();
    }

    /** Opens {@code tokenizer.json}; {@code maxLength} bounds every pair (special tokens included). */
    public static TextTokenizer open(Path tokenizerFile, int maxLength) {
        if (maxLength < 4) {
            throw new IllegalArgumentException("maxLength must be >= 4, but is: " + maxLength);
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

    /** Encodes (query, passage) pairs with one native batch call; results follow the passages' order. */
    public List<EncodedInput> encodePairs(String query, List<String> passages) {
        return encodePairs(query, passages, Truncation.PASSAGE_FIRST).inputs();
    }

    /**
     * Encodes (query, passage) pairs with one native batch call, cutting over-long pairs as {@code truncation}
     * says; results follow the passages' order. With {@link Truncation#FAIL} nothing is cut and the caller checks
     * {@link PairEncodings#truncated()} (true where a pair is longer than {@link #maxLength()}).
     */
    public PairEncodings encodePairs(String query, List<String> passages, Truncation truncation) {
        if (passages.isEmpty()) {
            return new PairEncodings(List.of(), new boolean[0]);
        }
        Encoding queryAlone = untruncated.encode(query, false, false);
        int budget = maxLength - pairSpecialTokens;
        int queryTokens = queryAlone.getIds().length;
        boolean longestFirstNeeded = truncation == Truncation.LONGEST_FIRST
                || (truncation == Truncation.PASSAGE_FIRST && queryTokens >= budget);
        if (longestFirstNeeded && queryTokens > budget / 2) {
            return encodeLongPairs(query, queryAlone, passages, budget); // both sides may be cut
        }
        HuggingFaceTokenizer tokenizer = switch (truncation) {
            case FAIL -> untruncated;
            case PASSAGE_FIRST -> truncating(false);
            case LONGEST_FIRST -> truncating(true);
        };
        String[] queries = new String[passages.size()];
        Arrays.fill(queries, query);
        String[] texts = new String[passages.size()];
        for (int i = 0; i < texts.length; i++) {
            texts[i] = Objects.requireNonNull(passages.get(i), "passage"); // null would reach native code
        }
        long[] handles = TokenizersLibrary.LIB.batchEncodePair(tokenizer.getHandle(), queries, texts, true);
        List<EncodedInput> result = new ArrayList<>(handles.length);
        boolean[] truncated = new boolean[handles.length];
        try {
            for (int i = 0; i < handles.length; i++) {
                EncodedInput input = leanInput(handles[i]);
                result.add(input);
                truncated[i] = truncation == Truncation.FAIL ? input.length() > maxLength
                        : TokenizersLibrary.LIB.getOverflowCount(handles[i]) > 0;
            }
        } finally {
            for (long handle : handles) {
                TokenizersLibrary.LIB.deleteEncoding(handle);
            }
        }
        return new PairEncodings(result, truncated);
    }

    /**
     * Ids, attention mask and token types of a native encoding. DJL's {@link Encoding} also copies every token's
     * string, character span, word and special-token flags: half the time of encoding SciFact pairs
     * (docs/performance.md), for nothing a model reads.
     */
    private static EncodedInput leanInput(long encoding) {
        return new EncodedInput(TokenizersLibrary.LIB.getTokenIds(encoding),
                TokenizersLibrary.LIB.getAttentionMask(encoding), TokenizersLibrary.LIB.getTypeIds(encoding));
    }

    private PairEncodings encodeLongPairs(String query, Encoding queryAlone, List<String> passages, int budget) {
        Encoding[] passagesAlone = untruncated.batchEncode(passages, false, false);
        PairList<String, String> pairs = new PairList<>(passages.size());
        boolean[] truncated = new boolean[passages.size()];
        int[][] keep = new int[passages.size()][];
        for (int i = 0; i < passagesAlone.length; i++) {
            int passageTokens = passagesAlone[i].getIds().length;
            keep[i] = LongPairs.longestFirst(queryAlone.getIds().length, passageTokens, budget);
            truncated[i] = keep[i][0] < queryAlone.getIds().length || keep[i][1] < passageTokens;
            pairs.add(LongPairs.cut(query, queryAlone, keep[i][0]),
                    LongPairs.cut(passages.get(i), passagesAlone[i], keep[i][1]));
        }
        Encoding[] encodings = untruncated.batchEncode(pairs, true, false);
        List<EncodedInput> result = new ArrayList<>(encodings.length);
        for (int i = 0; i < encodings.length; i++) {
            EncodedInput spliced = LongPairs.splice(encodings[i], queryAlone, passagesAlone[i], keep[i]);
            // a cut text whose tokens all vanished (not seen in practice): the library's own, slower, way
            result.add(spliced != null ? spliced : input(truncating(true).encode(query, passages.get(i), true, false)));
        }
        return new PairEncodings(result, truncated);
    }

    private static EncodedInput input(Encoding encoding) {
        return new EncodedInput(encoding.getIds(), encoding.getAttentionMask(), encoding.getTypeIds());
    }

    /** Encoded pairs and, per pair, whether it was (or, with {@link Truncation#FAIL}, would have to be) cut. */
    public record PairEncodings(List<EncodedInput> inputs, boolean[] truncated) {

        public int truncatedCount() {
            int n = 0;
            for (boolean t : truncated) {
                n += t ? 1 : 0;
            }
            return n;
        }
    }

    private HuggingFaceTokenizer truncating(boolean longest) {
        HuggingFaceTokenizer tokenizer = longest ? longestFirst : passageFirst;
        if (tokenizer != null) {
            return tokenizer;
        }
        synchronized (this) {
            if (longest) {
                longestFirst = longestFirst != null ? longestFirst : truncating("longest_first");
                return longestFirst;
            }
            passageFirst = passageFirst != null ? passageFirst : truncating("only_second");
            return passageFirst;
        }
    }

    private HuggingFaceTokenizer truncating(String strategy) {
        try {
            return HuggingFaceTokenizer.newInstance(file, options(strategy, maxLength));
        } catch (IOException e) {
            throw new ModelLoadException("Cannot load tokenizer " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
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
        String[] array = new String[texts.size()];
        for (int i = 0; i < array.length; i++) {
            array[i] = Objects.requireNonNull(texts.get(i), "text"); // null would reach native code
        }
        long[] handles = TokenizersLibrary.LIB.batchEncode(untruncated.getHandle(), array, false);
        List<long[]> result = new ArrayList<>(handles.length);
        try {
            for (long handle : handles) {
                result.add(TokenizersLibrary.LIB.getTokenIds(handle));
            }
        } finally {
            for (long handle : handles) {
                TokenizersLibrary.LIB.deleteEncoding(handle);
            }
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
    public synchronized void close() {
        untruncated.close();
        if (passageFirst != null) {
            passageFirst.close();
        }
        if (longestFirst != null) {
            longestFirst.close();
        }
    }
}

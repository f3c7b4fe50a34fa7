package dev.rerank4j.crossencoder.decoder;

import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.Truncation;
import dev.rerank4j.crossencoder.runtime.internal.EncodedInput;
import dev.rerank4j.crossencoder.runtime.internal.TextTokenizer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns (query, document) pairs into the token ids of a {@link PromptTemplate}'s prompt, within {@code maxLength}
 * tokens per pair. Each segment is tokenised on its own with the model's tokenizer (no special tokens added: the
 * template carries them) and the pieces are concatenated.
 *
 * <p>Truncation, in this order, so the template and the instruction are never cut:
 * <ol>
 *   <li>the fixed segments (no placeholder) are always kept; {@code maxLength} must leave room beyond them;</li>
 *   <li>a segment with {@code max_share} (mxbai-rerank-v2's query part) is cut from its end to that share of the
 *   remaining tokens;</li>
 *   <li>the document's segment is cut from its end to what is left: since {@code {document}} ends its segment,
 *   the document loses its tail first (Qwen3-Reranker's segment also holds the instruction and query before it, as
 *   the model card's own truncation of that segment does);</li>
 *   <li>only when the query parts alone exceed the room are they cut too, from the end of the last one.</li>
 * </ol>
 * Thread-safe (the tokenizer is).
 */
public final class PromptEncoder {

    private final PromptTemplate template;
    private final TextTokenizer tokenizer;
    private final int maxLength;
    private final String instruction;
    private final List<PromptTemplate.Segment> segments;
    private final long[][] fixedIds;
    private final int documentSegment;
    private final int budget;
    private final long positiveTokenId;
    private final long negativeTokenId;

    private PromptEncoder(PromptTemplate template, TextTokenizer tokenizer, int maxLength, String instruction) {
        this.template = template;
        this.tokenizer = tokenizer;
        this.maxLength = maxLength;
        this.instruction = template.effectiveInstruction(instruction);
        this.segments = template.segments();
        this.fixedIds = new long[segments.size()][];
        int fixed = 0;
        int document = -1;
        for (int i = 0; i < segments.size(); i++) {
            PromptTemplate.Segment segment = segments.get(i);
            if (segment.fixed()) {
                fixedIds[i] = tokenizer.tokenIds(segment.text());
                fixed += fixedIds[i].length;
            } else if (segment.hasDocument(this.instruction)) {
                document = i;
            }
        }
        this.documentSegment = document;
        this.budget = maxLength - fixed;
        if (budget < 1) {
            throw new IllegalArgumentException("maxLength " + maxLength + " leaves no room for query and document: "
                    + "the fixed part of prompt template " + template + " alone is " + fixed + " tokens");
        }
        this.positiveTokenId = answerTokenId(template.positiveAnswer(), "positive");
        this.negativeTokenId = answerTokenId(template.negativeAnswer(), "negative");
    }

    /**
     * @param instruction the caller's instruction, or null for the template's default
     * @throws ModelLoadException when an answer token is not a single token of this tokenizer
     */
    public static PromptEncoder create(PromptTemplate template, TextTokenizer tokenizer, int maxLength,
                                       String instruction) {
        return new PromptEncoder(template, tokenizer, maxLength, instruction);
    }

    private long answerTokenId(String answer, String which) {
        long[] ids = tokenizer.tokenIds(answer);
        if (ids.length != 1) {
            throw new ModelLoadException("Prompt template " + template + ": the " + which + " answer '" + answer
                    + "' is " + ids.length + " tokens " + Arrays.toString(ids) + " in " + tokenizer.file()
                    + "; the score needs a single token (is this the model's tokenizer?)");
        }
        return ids[0];
    }

    /** Encodes one prompt per document, all with the same query, cut to fit as described above. */
    public TextTokenizer.PairEncodings encode(String query, List<String> documents) {
        return encode(query, documents, Truncation.PASSAGE_FIRST);
    }

    /**
     * Encodes one prompt per document, all with the same query. {@link Truncation#FAIL} cuts nothing and flags
     * over-long prompts (the caller refuses them); the other modes cut as described above (for a prompt template
     * both mean "the document's segment from its end").
     */
    public TextTokenizer.PairEncodings encode(String query, List<String> documents, Truncation truncation) {
        if (documents.isEmpty()) {
            return new TextTokenizer.PairEncodings(List.of(), new boolean[0]);
        }
        boolean cut = truncation != Truncation.FAIL;
        long[][] queryIds = new long[segments.size()][];
        boolean queryCut = false;
        int queryTokens = 0;
        for (int i = 0; i < segments.size(); i++) {
            if (fixedIds[i] == null && i != documentSegment) {
                PromptTemplate.Segment segment = segments.get(i);
                long[] ids = tokenizer.tokenIds(PromptTemplate.render(segment, query, "", instruction));
                int cap = (int) Math.floor(segment.maxShare() * budget);
                if (ids.length > cap) {
                    ids = cut ? Arrays.copyOf(ids, cap) : ids;
                    queryCut = true;
                }
                queryIds[i] = ids;
                queryTokens += ids.length;
            }
        }
        for (int i = segments.size() - 1; i >= 0 && queryTokens > budget && cut; i--) {
            if (queryIds[i] != null) {
                int excess = Math.min(queryIds[i].length, queryTokens - budget);
                queryIds[i] = Arrays.copyOf(queryIds[i], queryIds[i].length - excess);
                queryTokens -= excess;
                queryCut = true;
            }
        }
        queryCut |= queryTokens > budget;
        int documentRoom = Math.max(0, budget - queryTokens);
        List<String> rendered = new ArrayList<>(documents.size());
        for (String document : documents) {
            rendered.add(PromptTemplate.render(segments.get(documentSegment), query, document, instruction));
        }
        List<long[]> documentIds = tokenizer.tokenIds(rendered);
        List<EncodedInput> inputs = new ArrayList<>(documents.size());
        boolean[] truncated = new boolean[documents.size()];
        for (int d = 0; d < documents.size(); d++) {
            long[] doc = documentIds.get(d);
            if (doc.length > documentRoom) {
                doc = cut ? Arrays.copyOf(doc, documentRoom) : doc;
                truncated[d] = true;
            }
            truncated[d] |= queryCut;
            inputs.add(EncodedInput.of(concat(queryIds, doc)));
        }
        return new TextTokenizer.PairEncodings(List.copyOf(inputs), truncated);
    }

    private long[] concat(long[][] queryIds, long[] documentIds) {
        int length = 0;
        for (int i = 0; i < segments.size(); i++) {
            length += i == documentSegment ? documentIds.length
                    : fixedIds[i] != null ? fixedIds[i].length : queryIds[i].length;
        }
        long[] ids = new long[length];
        int at = 0;
        for (int i = 0; i < segments.size(); i++) {
            long[] part = i == documentSegment ? documentIds : fixedIds[i] != null ? fixedIds[i] : queryIds[i];
            System.arraycopy(part, 0, ids, at, part.length);
            at += part.length;
        }
        return ids;
    }

    public PromptTemplate template() {
        return template;
    }

    /** The instruction in effect (the caller's, else the template's default; null when none). */
    public String instruction() {
        return instruction;
    }

    public int maxLength() {
        return maxLength;
    }

    /** Token id of the positive answer (e.g. "yes"), looked up in the model's tokenizer. */
    public long positiveTokenId() {
        return positiveTokenId;
    }

    public long negativeTokenId() {
        return negativeTokenId;
    }
}

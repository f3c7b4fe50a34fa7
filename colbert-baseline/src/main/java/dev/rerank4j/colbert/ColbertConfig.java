package dev.rerank4j.colbert;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rerank4j.crossencoder.model.ModelConfig;
import dev.rerank4j.crossencoder.model.ModelLoadException;

import java.util.Arrays;

import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;

/**
 * The {@code colbert} section of a model's {@code config.json}: everything the encoder needs to build queries and
 * documents the way the model was trained. Nothing is inferred from the model's name.
 *
 * @param dim                  size of each token vector
 * @param queryMaxLen          query length in tokens, special tokens and [MASK] padding included
 * @param docMaxLen            maximum document length in tokens, special tokens included
 * @param queryMarkerTokenId   id of the [Q] marker put after [CLS]
 * @param docMarkerTokenId     id of the [D] marker put after [CLS]
 * @param maskTokenId          id the query is padded with (query augmentation)
 * @param attendToMaskTokens   whether the [MASK] padding of queries is attended
 * @param skiplistTokenIds     document token ids whose vectors are dropped (sorted)
 * @param queryTokenTypeId     token type id of query tokens
 * @param docTokenTypeId       token type id of document tokens
 */
public record ColbertConfig(int dim, int queryMaxLen, int docMaxLen, long queryMarkerTokenId, long docMarkerTokenId,
                            long maskTokenId, boolean attendToMaskTokens, long[] skiplistTokenIds,
                            int queryTokenTypeId, int docTokenTypeId) {

    /** Smallest sequence that holds [CLS], a marker, one token and [SEP]. */
    private static final int MIN_LENGTH = 4;

    public ColbertConfig {
        ensureGreaterThanZero(dim, "dim");
        if (queryMaxLen < MIN_LENGTH || docMaxLen < MIN_LENGTH) {
            throw new IllegalArgumentException("query_maxlen and doc_maxlen must be >= " + MIN_LENGTH
                    + ", were " + queryMaxLen + " and " + docMaxLen);
        }
        skiplistTokenIds = skiplistTokenIds == null ? new long[0] : skiplistTokenIds.clone();
        Arrays.sort(skiplistTokenIds);
    }

    /** Reads the {@code colbert} section; a missing section or field names the config file. */
    public static ColbertConfig from(ModelConfig config) {
        JsonNode section = config.raw().get("colbert");
        if (section == null || !section.isObject()) {
            throw new ModelLoadException("Model config " + config.file() + " has no \"colbert\" section: not a ColBERT model");
        }
        String similarity = section.path("similarity").asText("cosine");
        if (!similarity.equals("cosine")) {
            throw new ModelLoadException("Model config " + config.file() + ": colbert.similarity \"" + similarity
                    + "\" is not supported (only \"cosine\": L2-normalised vectors, dot product)");
        }
        JsonNode skip = section.path("skiplist_token_ids");
        long[] skiplist = new long[skip.size()];
        for (int i = 0; i < skiplist.length; i++) {
            skiplist[i] = skip.get(i).asLong();
        }
        try {
            return new ColbertConfig(
                    required(section, "dim", config).asInt(),
                    required(section, "query_maxlen", config).asInt(),
                    required(section, "doc_maxlen", config).asInt(),
                    required(section, "query_marker_token_id", config).asLong(),
                    required(section, "doc_marker_token_id", config).asLong(),
                    required(section, "mask_token_id", config).asLong(),
                    section.path("attend_to_mask_tokens").asBoolean(true),
                    skiplist,
                    section.path("query_token_type_id").asInt(0),
                    section.path("doc_token_type_id").asInt(0));
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException("Model config " + config.file() + ": invalid colbert section: " + e.getMessage(), e);
        }
    }

    private static JsonNode required(JsonNode section, String field, ModelConfig config) {
        JsonNode value = section.get(field);
        if (value == null || !value.isNumber()) {
            throw new ModelLoadException("Model config " + config.file() + ": colbert." + field + " is missing or not a number");
        }
        return value;
    }

    @Override
    public long[] skiplistTokenIds() {
        return skiplistTokenIds.clone();
    }

    /** Whether a document token's vector is dropped. */
    public boolean skips(long tokenId) {
        return Arrays.binarySearch(skiplistTokenIds, tokenId) >= 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColbertConfig c && dim == c.dim && queryMaxLen == c.queryMaxLen && docMaxLen == c.docMaxLen
                && queryMarkerTokenId == c.queryMarkerTokenId && docMarkerTokenId == c.docMarkerTokenId
                && maskTokenId == c.maskTokenId && attendToMaskTokens == c.attendToMaskTokens
                && Arrays.equals(skiplistTokenIds, c.skiplistTokenIds)
                && queryTokenTypeId == c.queryTokenTypeId && docTokenTypeId == c.docTokenTypeId;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(skiplistTokenIds) + java.util.Objects.hash(dim, queryMaxLen, docMaxLen,
                queryMarkerTokenId, docMarkerTokenId, maskTokenId, attendToMaskTokens, queryTokenTypeId, docTokenTypeId);
    }

    @Override
    public String toString() {
        return "ColbertConfig[dim=" + dim + ", queryMaxLen=" + queryMaxLen + ", docMaxLen=" + docMaxLen
                + ", skiplist=" + skiplistTokenIds.length + " ids]";
    }
}

package dev.rerank4j.colbert;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.output.Response;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.model.ModelBuilder;
import dev.rerank4j.crossencoder.scoring.ScoringArguments;
import dev.rerank4j.colbert.index.ColbertIndex;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.langchain4j.internal.ValidationUtils.ensureNotBlank;

/**
 * ColBERT MaxSim as a LangChain4j {@link ScoringModel}. The query is encoded once per call; a segment whose id
 * (metadata key {@link Builder#idMetadataKey}, default {@code "id"}) is in the index is scored from its stored
 * vectors, any other segment is encoded on the fly (one batch for all of them).
 *
 * <p>Every response's metadata holds {@link #META_FROM_INDEX} and {@link #META_ENCODED}: how many segments came
 * from the index and how many were encoded. {@link #close()} closes only what the builder created itself
 * (an encoder built from {@link Builder#modelDirectory}); a passed-in encoder or index stays open.
 */
public final class ColbertScoringModel implements ScoringModel, AutoCloseable {

    public static final String DEFAULT_ID_METADATA_KEY = "id";
    public static final String META_FROM_INDEX = "rerank4j.colbert.fromIndex";
    public static final String META_ENCODED = "rerank4j.colbert.encoded";

    private final ColbertEncoder encoder;
    private final ColbertIndex index;
    private final String idMetadataKey;
    private final boolean ownsEncoder;

    private ColbertScoringModel(ColbertEncoder encoder, ColbertIndex index, String idMetadataKey, boolean ownsEncoder) {
        this.encoder = encoder;
        this.index = index;
        this.idMetadataKey = idMetadataKey;
        this.ownsEncoder = ownsEncoder;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Response<List<Double>> scoreAll(List<TextSegment> segments, String query) {
        ScoringArguments.requireValid(segments, query);
        if (segments.isEmpty()) {
            return Response.from(List.of(), null, null, Map.of(META_FROM_INDEX, 0, META_ENCODED, 0));
        }
        MaxSim.Prepared prepared = MaxSim.prepare(encoder.encodeQuery(query));
        double[] scores = new double[segments.size()];
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < segments.size(); i++) {
            String id = indexId(segments.get(i));
            if (id != null) {
                scores[i] = index.score(prepared, id);
            } else {
                missing.add(i);
            }
        }
        if (!missing.isEmpty()) {
            List<String> texts = missing.stream().map(i -> segments.get(i).text()).toList();
            List<TokenVectors> encoded = encoder.encodeDocuments(texts);
            for (int j = 0; j < missing.size(); j++) {
                scores[missing.get(j)] = prepared.score(encoded.get(j));
            }
        }
        List<Double> result = new ArrayList<>(scores.length);
        for (double score : scores) {
            result.add(score);
        }
        return Response.from(List.copyOf(result), null, null, Map.of(
                META_FROM_INDEX, segments.size() - missing.size(), META_ENCODED, missing.size()));
    }

    /** The segment's id when its vectors are in the index, else null. */
    private String indexId(TextSegment segment) {
        if (index == null || segment.metadata() == null) {
            return null;
        }
        Object value = segment.metadata().toMap().get(idMetadataKey);
        if (value == null) {
            return null;
        }
        String id = value.toString();
        return index.contains(id) ? id : null;
    }

    public ColbertEncoder encoder() {
        return encoder;
    }

    /** The index, or null when every segment is encoded. */
    public ColbertIndex index() {
        return index;
    }

    public String idMetadataKey() {
        return idMetadataKey;
    }

    @Override
    public void close() {
        if (ownsEncoder) {
            encoder.close();
        }
    }

    /**
     * Either a ready {@link #encoder} (left open by {@link #close()}), or the model options shared with the other
     * model builders ({@link ModelBuilder}: {@code modelDirectory}, {@code modelId}, {@code engine}, ...), from which
     * the scoring model builds and owns its encoder.
     */
    public static final class Builder extends ModelBuilder<Builder> {
        private ColbertEncoder encoder;
        private ColbertIndex index;
        private String idMetadataKey;

        private Builder() {
        }

        /** The encoder to use (stays open when the model closes); instead of the model options. */
        public Builder encoder(ColbertEncoder encoder) {
            this.encoder = encoder;
            return this;
        }

        /** Optional precomputed document vectors; must come from the same model as the encoder. */
        public Builder index(ColbertIndex index) {
            this.index = index;
            return this;
        }

        /** Metadata key whose value is a segment's id in the index (default {@value #DEFAULT_ID_METADATA_KEY}). */
        public Builder idMetadataKey(String idMetadataKey) {
            this.idMetadataKey = idMetadataKey;
            return this;
        }

        public ColbertScoringModel build() {
            if (encoder != null && anyModelOptionSet()) {
                throw new IllegalArgumentException("Set either encoder or the model options (modelDirectory, modelId, "
                        + "engine, ...), not both");
            }
            if (encoder == null) {
                validate();
            }
            String key = idMetadataKey != null ? ensureNotBlank(idMetadataKey, "idMetadataKey") : DEFAULT_ID_METADATA_KEY;
            boolean owns = encoder == null;
            ColbertEncoder enc = owns ? copyTo(ColbertEncoder.builder()).build() : encoder;
            try {
                if (index != null) {
                    index.requireCompatible(enc);
                }
            } catch (RuntimeException e) {
                if (owns) {
                    enc.close();
                }
                throw e;
            }
            return new ColbertScoringModel(enc, index, key, owns);
        }
    }
}

package dev.rerank4j.eval.it;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.rag.AugmentationRequest;
import dev.langchain4j.rag.RetrievalAugmentor;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.langchain4j.rag.query.Metadata;
import dev.langchain4j.rag.query.Query;
import dev.rerank4j.crossencoder.cache.CachingScoringModel;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import dev.rerank4j.crossencoder.rag.DenseIndex;
import dev.rerank4j.crossencoder.rag.IngestReport;
import dev.rerank4j.crossencoder.rag.RerankEvent;
import dev.rerank4j.crossencoder.rag.RerankingPipeline;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.metrics.RankingMetrics;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The default pipeline end to end on a SciFact slice: 20 test queries, the documents judged for them plus the
 * reference top-30 of each (so the slice's dense top-30 must equal the reference lists), all-MiniLM-L6-v2 dense
 * retrieval of 150, minilm-l6-ce reranking of 30, top 8.
 */
class ScifactCascadeIT {

    /** 20 by default; {@code -Drerank4j.it.queries=N} for a quicker or longer run. */
    private static final int QUERIES = Integer.getInteger("rerank4j.it.queries", 20);

    @Test
    void default_pipeline_returns_the_dense_top_30_ordered_by_the_models_own_scores() throws Exception {
        Path data = TestModels.requireShared("data/scifact");
        Path modelDir = TestModels.requireShared("models/minilm-l6-ce");
        Path candidatesFile = TestModels.requireShared("models/candidates/scifact-test.tsv");

        BeirDataset scifact = BeirDataset.load(data, "test");
        Map<String, Map<String, Integer>> qrels = scifact.qrels();
        Map<String, List<String>> reference = new java.util.HashMap<>();
        CandidateLists.read(candidatesFile).forEach((q, list) -> reference.put(q, list.stream().map(Candidate::docId).toList()));
        List<String> queryIds = qrels.keySet().stream().limit(QUERIES).toList();
        Set<String> slice = new LinkedHashSet<>();
        for (String q : queryIds) {
            slice.addAll(qrels.get(q).keySet());
            slice.addAll(reference.get(q).subList(0, 30));
        }
        // the slice in corpus order, as LangChain4j documents with their id
        List<Document> documents = scifact.corpus().values().stream().filter(doc -> slice.contains(doc.id()))
                .map(doc -> Document.from(doc.passage(), dev.langchain4j.data.document.Metadata.from(DenseIndex.ID_KEY, doc.id())))
                .toList();

        // Persisted under target/: a second run of this test loads the index instead of embedding again.
        DenseIndex index = DenseIndex.builder().storeFile(Path.of("target/it-index/scifact-slice.json"))
                .showProgress(true).build();
        IngestReport report = index.sync(documents);
        assertThat(index.size()).isEqualTo(slice.size());
        System.out.println("SciFact slice: " + slice.size() + " documents, " + report);

        StringBuilder summary = new StringBuilder();
        try (CrossEncoderScoringModel crossEncoder = CrossEncoderScoringModel.builder().modelDirectory(modelDir).build()) {
            CachingScoringModel cache = CachingScoringModel.builder().delegate(crossEncoder).build();
            List<RerankEvent> events = new ArrayList<>();
            RetrievalAugmentor pipeline = RerankingPipeline.retrievalAugmentor(index,
                    CascadeContentAggregator.builder().scoringModel(cache).listener(events::add).build());
            CascadeContentAggregator fullList = CascadeContentAggregator.builder().scoringModel(cache).maxResults(30).build();

            double denseNdcg = 0;
            double rerankedNdcg = 0;
            for (String q : queryIds) {
                String query = scifact.queries().get(q).text();
                List<String> dense = index.search(query, 30).stream()
                        .map(m -> m.embedded().metadata().getString("id")).toList();
                assertThat(dense).as("dense top 30 of query %s vs the reference candidates", q)
                        .containsExactlyElementsOf(reference.get(q).subList(0, 30));

                UserMessage message = UserMessage.from(query);
                List<Content> top8 = pipeline.augment(new AugmentationRequest(message,
                        Metadata.from(message, "it", List.of()))).contents();

                List<String> passages = dense.stream().map(id -> scifact.corpus().get(id).passage()).toList();
                double[] direct = crossEncoder.scorePassages(query, passages).scores();
                List<Integer> order = IntStream.range(0, 30).boxed()
                        .sorted(Comparator.comparingDouble((Integer i) -> direct[i]).reversed()).toList();
                assertThat(top8).extracting(c -> c.textSegment().metadata().getString("id"))
                        .as("top 8 of query %s", q)
                        .containsExactlyElementsOf(order.subList(0, 8).stream().map(dense::get).toList());
                for (int k = 0; k < 8; k++) {
                    assertThat((Double) top8.get(k).metadata().get(ContentMetadata.RERANKED_SCORE))
                            .isCloseTo(direct[order.get(k)], within(1e-5));
                }

                long missesBefore = cache.stats().missCount();
                List<String> reranked = fullList.rerank(query, index.retriever(150).retrieve(Query.from(query)))
                        .stream().map(c -> c.textSegment().metadata().getString("id")).toList();
                assertThat(cache.stats().missCount()).as("the full list reuses the cached scores").isEqualTo(missesBefore);
                denseNdcg += RankingMetrics.ndcg(dense, qrels.get(q), 10);
                rerankedNdcg += RankingMetrics.ndcg(reranked, qrels.get(q), 10);
            }
            assertThat(events).hasSize(QUERIES).allSatisfy(e -> assertThat(e.fallback()).isEmpty());
            double meanMillis = events.stream().mapToLong(RerankEvent::totalNanos).average().orElse(0) / 1e6;
            summary.append(String.format("SciFact slice (%d docs, %d test queries): nDCG@10 dense top-30 %.4f, "
                            + "reranked (minilm-l6-ce, depth 30) %.4f; mean rerank latency %.0f ms (cold cache)%n",
                    slice.size(), QUERIES, denseNdcg / QUERIES, rerankedNdcg / QUERIES, meanMillis));
        }
        System.out.print(summary);
        Files.createDirectories(Path.of("target"));
        Files.writeString(Path.of("target/scifact-cascade-it.txt"), summary);
    }
}

package dev.rerank4j.eval.it;

import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.pipeline.CandidateFileFirstStage;
import dev.rerank4j.eval.pipeline.DensePipeline;
import dev.rerank4j.eval.pipeline.PipelineFactory;
import dev.rerank4j.eval.pipeline.PipelineSpec;
import dev.rerank4j.eval.run.EvalResult;
import dev.rerank4j.eval.run.Evaluator;
import dev.rerank4j.eval.run.PipelineResult;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The metrics reproduce the model cards' reference figures on the reference candidate lists; the expected values
 * are read from MODEL_CARD.md at test time. The dense rows need no model and always run. The reranked rows
 * ({@code ce@30} through {@code CascadeContentAggregator}, {@code colbert} through {@code ColbertContentRetriever}
 * over a float16 index) take tens of minutes on all queries, so they run with {@code -Drerank4j.it.reranked=true}
 * (index cache: {@code -Drerank4j.it.cache-dir}, default {@code target/it-cache}) and are skipped visibly otherwise.
 */
class ReferenceFiguresIT {

    private static final boolean RERANKED = Boolean.getBoolean("rerank4j.it.reranked");

    @ParameterizedTest
    @CsvSource({"scifact,test", "nfcorpus,dev", "squad2-500,test"})
    void dense_metrics_on_the_reference_candidates_match_the_model_card(String set, String split) throws IOException {
        Path data = TestModels.requireShared("data/" + set);
        Path candidates = TestModels.requireShared("models/candidates/" + set + "-" + split + ".tsv");
        Path card = TestModels.requireShared("models/minilm-l6-ce/MODEL_CARD.md");
        double[] expected = referenceRow(card, set, split, "dense");

        EvalResult result = Evaluator.builder().dataset(BeirDataset.load(data, split))
                .firstStage(new CandidateFileFirstStage(candidates, 150))
                .pipelines(List.of(new DensePipeline("reference candidates"))).build().run();
        PipelineResult dense = result.pipeline("dense");

        assertThat((double) result.queriesEvaluated()).isEqualTo(expected[0]);
        assertRow(dense, expected);
        if (!Double.isNaN(expected[5])) {
            assertThat(dense.answerRecall8()).isCloseTo(expected[5], within(0.005));
        } else {
            assertThat(dense.answerRecall8()).isNull();
        }
    }

    @ParameterizedTest
    @CsvSource({"scifact,test,ce@30", "scifact,test,colbert", "nfcorpus,dev,ce@30", "nfcorpus,dev,colbert"})
    void reranked_metrics_on_the_reference_candidates_match_the_model_card(String set, String split, String pipeline)
            throws IOException {
        Assumptions.assumeTrue(RERANKED, "SKIPPED: " + pipeline + " on all " + set + " queries takes tens of minutes; "
                + "run with -Drerank4j.it.reranked=true");
        Path data = TestModels.requireShared("data/" + set);
        Path candidates = TestModels.requireShared("models/candidates/" + set + "-" + split + ".tsv");
        Path card = TestModels.requireShared("models/minilm-l6-ce/MODEL_CARD.md");
        double[] expected = referenceRow(card, set, split, pipeline);
        BeirDataset dataset = BeirDataset.load(data, split);

        EvalResult result;
        try (PipelineFactory factory = PipelineFactory.builder().corpus(dataset.corpus())
                .crossEncoderModel(TestModels.requireShared("models/minilm-l6-ce"))
                .colbertModel(TestModels.requireShared("models/minilm-l6-colbert"))
                .cacheDir(Path.of(System.getProperty("rerank4j.it.cache-dir", "target/it-cache"))).build()) {
            result = Evaluator.builder().dataset(dataset).firstStage(new CandidateFileFirstStage(candidates, 150))
                    .pipelines(List.of(factory.create(PipelineSpec.parse(pipeline)))).build().run();
        }

        assertThat((double) result.queriesEvaluated()).isEqualTo(expected[0]);
        assertRow(result.pipeline(pipeline), expected);
    }

    private static void assertRow(PipelineResult actual, double[] expected) {
        assertThat(actual.ndcg10()).isCloseTo(expected[1], within(0.005));
        assertThat(actual.mrr10()).isCloseTo(expected[2], within(0.005));
        assertThat(actual.recall100()).isCloseTo(expected[3], within(0.005));
        assertThat(actual.p5()).isCloseTo(expected[4], within(0.005));
    }

    /** queries, nDCG@10, MRR@10, Recall@100, P@5, answer recall@8 (NaN for none) of a reference table row. */
    static double[] referenceRow(Path card, String set, String split, String pipeline) throws IOException {
        for (String line : Files.readAllLines(card)) {
            String[] cells = line.split("\\|");
            if (cells.length >= 10 && cells[1].trim().equals(set) && cells[2].trim().equals(split)
                    && cells[3].trim().equals(pipeline)) {
                double[] row = new double[6];
                for (int i = 0; i < 5; i++) {
                    row[i] = Double.parseDouble(cells[4 + i].trim());
                }
                String answerRecall = cells[9].trim();
                row[5] = answerRecall.matches("[0-9.]+") ? Double.parseDouble(answerRecall) : Double.NaN;
                return row;
            }
        }
        throw new IllegalStateException("no reference row " + set + "/" + split + "/" + pipeline + " in " + card);
    }
}

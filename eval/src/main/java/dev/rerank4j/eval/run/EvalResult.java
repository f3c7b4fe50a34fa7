package dev.rerank4j.eval.run;

import java.util.List;

/** Everything a run measured, in pipeline order. */
public record EvalResult(String dataset, String split, int queriesRun, int queriesEvaluated, String firstStage,
                         double firstStageMsMean, String chatModel, String note, List<PipelineResult> pipelines) {

    public EvalResult {
        pipelines = List.copyOf(pipelines);
    }

    public PipelineResult pipeline(String name) {
        return pipelines.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no pipeline " + name + " in this run"));
    }
}

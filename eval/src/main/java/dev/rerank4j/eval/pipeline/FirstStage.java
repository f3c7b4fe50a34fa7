package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;

import java.util.List;

/** Produces the candidates every pipeline of a run reranks (so all pipelines see the same first stage). */
public interface FirstStage extends AutoCloseable {

    /** Candidates in first-stage order, best first. */
    List<Candidate> retrieve(Query query);

    /** For reports: model and depth. */
    String description();

    @Override
    default void close() {
    }
}

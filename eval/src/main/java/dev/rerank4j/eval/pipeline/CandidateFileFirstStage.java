package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.CandidateLists;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A first stage read from a candidate TSV (e.g. the reference lists); queries without a list get none. */
public final class CandidateFileFirstStage implements FirstStage {

    private final Map<String, List<Candidate>> lists;
    private final Path file;
    private final int depth;

    public CandidateFileFirstStage(Path file, int depth) {
        if (depth < 1) {
            throw new IllegalArgumentException("depth must be >= 1, was " + depth);
        }
        this.file = file;
        this.lists = CandidateLists.read(file);
        this.depth = depth;
    }

    @Override
    public List<Candidate> retrieve(Query query) {
        List<Candidate> list = lists.getOrDefault(query.id(), List.of());
        return list.size() <= depth ? list : list.subList(0, depth);
    }

    @Override
    public String description() {
        return "candidates from " + file + ", top " + depth;
    }
}

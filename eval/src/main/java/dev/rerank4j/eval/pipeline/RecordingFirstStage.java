package dev.rerank4j.eval.pipeline;

import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Writes every candidate list it passes on to a TSV in the reference layout (to compare first stages). */
public final class RecordingFirstStage implements FirstStage {

    private final FirstStage delegate;
    private final BufferedWriter writer;
    private final Set<String> written = new HashSet<>();

    public RecordingFirstStage(FirstStage delegate, Path file) {
        if (delegate == null || file == null) {
            throw new IllegalArgumentException("delegate and file cannot be null");
        }
        this.delegate = delegate;
        try {
            if (file.toAbsolutePath().getParent() != null) {
                Files.createDirectories(file.toAbsolutePath().getParent());
            }
            this.writer = Files.newBufferedWriter(file);
            writer.write("query-id\tcorpus-id\trank\tscore\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public List<Candidate> retrieve(Query query) {
        List<Candidate> candidates = delegate.retrieve(query);
        if (written.add(query.id())) {
            try {
                for (int i = 0; i < candidates.size(); i++) {
                    writer.write(String.format(Locale.ROOT, "%s\t%s\t%d\t%.6f%n", query.id(),
                            candidates.get(i).docId(), i + 1, candidates.get(i).score()));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return candidates;
    }

    @Override
    public String description() {
        return delegate.description();
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delegate.close();
        }
    }
}

package dev.rerank4j.eval.bench;

import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.TokenVectors;
import dev.rerank4j.colbert.index.ColbertIndex;
import dev.rerank4j.colbert.index.VectorEncoding;
import dev.rerank4j.eval.data.BeirDataset;
import dev.rerank4j.eval.data.CandidateLists.Candidate;
import dev.rerank4j.eval.data.Query;
import dev.rerank4j.eval.pipeline.Progress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ColBERT benchmarks' indexes: the candidate documents of the measured queries, encoded once and written as
 * float16 and int8 index files in a work directory (timed), or reused from an earlier run.
 *
 * @param float16       the float16 index file
 * @param int8          the int8 index file
 * @param documents     documents indexed
 * @param buildSeconds  encoding + writing time of a fresh build, null when reused
 */
record ColbertBenchIndexes(Path float16, Path int8, int documents, Double buildSeconds) {

    /** Passages of the top-{@code depth} candidates of the queries, in first-seen order. */
    static Map<String, String> candidateDocuments(BeirDataset dataset, Map<String, List<Candidate>> lists,
                                                  List<Query> queries, int depth) {
        Map<String, String> docs = new LinkedHashMap<>();
        for (Query query : queries) {
            List<Candidate> list = lists.getOrDefault(query.id(), List.of());
            for (Candidate candidate : list.subList(0, Math.min(depth, list.size()))) {
                var doc = dataset.corpus().get(candidate.docId());
                if (doc == null) {
                    throw new IllegalArgumentException("candidate document \"" + candidate.docId()
                            + "\" is not in " + dataset.corpusFile());
                }
                docs.putIfAbsent(candidate.docId(), doc.passage());
            }
        }
        return docs;
    }

    /** The float16 index file alone, with whatever it lacks of {@code docs} added (e.g. for the residual codec). */
    static Path float16(ColbertEncoder encoder, Map<String, String> docs, Path workDir, String name,
                        boolean showProgress) {
        Path f16 = workDir.resolve(name + "-f16.colbert");
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir, e);
        }
        ColbertIndex.buildOrUpdate(encoder, docs, f16, VectorEncoding.FLOAT16, showProgress).close();
        return f16;
    }

    /** Builds both files from scratch (timed), or with {@code reuse} adds only what existing files lack. */
    static ColbertBenchIndexes prepare(ColbertEncoder encoder, Map<String, String> docs, Path workDir, String name,
                                       boolean reuse, boolean showProgress) {
        Path f16 = workDir.resolve(name + "-f16.colbert");
        Path i8 = workDir.resolve(name + "-int8.colbert");
        try {
            Files.createDirectories(workDir);
            if (reuse && Files.exists(f16) && Files.exists(i8)) {
                ColbertIndex.buildOrUpdate(encoder, docs, f16, VectorEncoding.FLOAT16, showProgress).close();
                ColbertIndex.buildOrUpdate(encoder, docs, i8, VectorEncoding.INT8, showProgress).close();
                return new ColbertBenchIndexes(f16, i8, docs.size(), null);
            }
            Files.deleteIfExists(f16);
            Files.deleteIfExists(i8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + workDir, e);
        }
        try (ColbertIndex float16 = ColbertIndex.create(f16, encoder.dim(), VectorEncoding.FLOAT16,
                encoder.modelFingerprint());
             ColbertIndex int8 = ColbertIndex.create(i8, encoder.dim(), VectorEncoding.INT8,
                     encoder.modelFingerprint());
             Progress progress = Progress.start("ColBERT index (float16 + int8)", docs.size(), showProgress)) {
            long start = System.nanoTime();
            List<String> ids = new ArrayList<>(docs.keySet());
            int chunk = 64;
            for (int from = 0; from < ids.size(); from += chunk) {
                List<String> part = ids.subList(from, Math.min(ids.size(), from + chunk));
                List<TokenVectors> vectors = encoder.encodeDocuments(part.stream().map(docs::get).toList());
                Map<String, TokenVectors> batch = new LinkedHashMap<>();
                for (int i = 0; i < part.size(); i++) {
                    batch.put(part.get(i), vectors.get(i));
                }
                float16.addAll(batch);
                int8.addAll(batch);
                progress.step(part.size());
            }
            return new ColbertBenchIndexes(f16, i8, docs.size(), (System.nanoTime() - start) / 1e9);
        }
    }
}

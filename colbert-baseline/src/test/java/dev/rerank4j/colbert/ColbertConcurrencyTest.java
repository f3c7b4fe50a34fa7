package dev.rerank4j.colbert;

import dev.rerank4j.crossencoder.runtime.InferenceCancelledException;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One encoder shared by eight threads, with several native runs at once (one intra-op thread each). */
class ColbertConcurrencyTest {

    private static final List<String> POOL = new ArrayList<>();

    static {
        for (int i = 0; i < 24; i++) {
            POOL.add("document " + i + " about calcium, vitamin d and bones" + " and more".repeat(i % 6));
        }
    }

    private static ColbertEncoder encoder(int maxConcurrentRuns) {
        return ColbertEncoder.builder().modelDirectory(TestModels.resourceModel("tiny-colbert"))
                .intraOpThreads(1).maxConcurrentRuns(maxConcurrentRuns).batchSize(3).build();
    }

    @Test
    void eight_threads_on_overlapping_requests_get_the_sequential_vectors() throws Exception {
        try (ColbertEncoder encoder = encoder(4)) {
            List<List<String>> requests = new ArrayList<>();
            List<float[][][]> sequential = new ArrayList<>();
            for (int r = 0; r < 32; r++) {
                List<String> request = POOL.subList(r % 12, r % 12 + 10);
                requests.add(request);
                sequential.add(vectors(encoder, request, "query " + r));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<float[][][]>> futures = new ArrayList<>();
                for (int r = 0; r < requests.size(); r++) {
                    int request = r;
                    futures.add(pool.submit(() -> vectors(encoder, requests.get(request), "query " + request)));
                }
                for (int r = 0; r < futures.size(); r++) {
                    assertThat(futures.get(r).get(60, TimeUnit.SECONDS)).as("request %d", r).isEqualTo(sequential.get(r));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /** The query's vectors followed by each document's. */
    private static float[][][] vectors(ColbertEncoder encoder, List<String> documents, String query) {
        List<TokenVectors> encoded = encoder.encodeDocuments(documents);
        float[][][] all = new float[encoded.size() + 1][][];
        all[0] = encoder.encodeQuery(query).toArray();
        for (int i = 0; i < encoded.size(); i++) {
            all[i + 1] = encoded.get(i).toArray();
        }
        return all;
    }

    @Test
    void close_while_threads_encode_ends_every_call_cleanly_and_refuses_later_ones() throws Exception {
        ColbertEncoder encoder = encoder(2);
        CountDownLatch everyThreadEncoded = new CountDownLatch(8);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<RuntimeException>> workers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(pool.submit(() -> {
                boolean counted = false;
                while (true) {
                    try {
                        encoder.encodeDocuments(POOL);
                    } catch (RuntimeException e) {
                        return e; // the call that met close()
                    }
                    if (!counted) {
                        everyThreadEncoded.countDown();
                        counted = true;
                    }
                }
            }));
        }
        try {
            assertThat(everyThreadEncoded.await(120, TimeUnit.SECONDS)).isTrue();

            encoder.close();

            for (Future<RuntimeException> worker : workers) {
                // running when close() came: cancelled; started after it: refused
                assertThat(worker.get(120, TimeUnit.SECONDS))
                        .isInstanceOfAny(InferenceCancelledException.class, IllegalStateException.class)
                        .hasMessageContaining("closed");
            }
            assertThatThrownBy(() -> encoder.encodeQuery("later")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("ColbertEncoder is closed");
        } finally {
            pool.shutdownNow();
        }
    }
}

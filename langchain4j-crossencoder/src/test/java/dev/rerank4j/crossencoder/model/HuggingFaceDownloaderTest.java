package dev.rerank4j.crossencoder.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.runtime.internal.Digests;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.OnnxWeights;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Downloads from a real local HTTP server that answers like the Hugging Face hub: the tree API
 * ({@code GET /api/models/{id}/tree/{revision}?recursive=true}, paged through {@code Link} headers, each file with
 * its Git blob id and, for LFS files, {@code lfs.oid} = SHA-256) and {@code /{id}/resolve/{revision}/{file}}. It
 * serves tiny-ce with its weights moved to an ONNX external-data file, the way large models ship them, next to a
 * data file the graph does not use; and an Optimum layout (root {@code model.onnx}, weights in a file of another
 * name).
 */
class HuggingFaceDownloaderTest {

    private static final String REPO = "test-org/tiny-ce";
    private static final String EXTERNAL_DATA = "onnx/model.onnx_data";
    private static final String UNUSED_DATA = "onnx/unused.onnx_data";
    private static final String OPTIMUM_REPO = "test-org/tiny-xlmr-optimum-ce";
    private static final String OPTIMUM_DATA = "tiny_xlmr_weights.bin";
    private static final int PAGE_SIZE = 2;

    @TempDir
    Path cache;
    @TempDir
    Path served;
    @TempDir
    Path optimum;
    private final List<String> requested = new CopyOnWriteArrayList<>();

    private HttpServer server;
    private final AtomicInteger fileRequests = new AtomicInteger();
    private volatile String brokenFile;
    private volatile String corruptFile;
    private volatile int listingStatus = 200;

    @BeforeEach
    void startServer() throws IOException {
        TestModels.copyTree(TestModels.resourceModel("tiny-ce"), served);
        int moved = OnnxWeights.moveWeightsToExternalData(TestModels.resourceModel("tiny-ce").resolve("onnx/model.onnx"),
                served.resolve("onnx/model.onnx"), Path.of(EXTERNAL_DATA).getFileName().toString());
        assertThat(moved).isPositive();
        Files.write(served.resolve(UNUSED_DATA), new byte[10_000]); // beside the graph, but not referenced by it
        TestModels.copyTree(TestModels.resourceModel("tiny-xlmr-optimum-ce"), optimum);
        Files.write(optimum.resolve("model.onnx_data"), new byte[1000]); // unreferenced names that look like data
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/models/" + REPO + "/tree/main", exchange -> listing(exchange, REPO, served));
        server.createContext("/" + REPO + "/resolve/main/", exchange -> file(exchange, REPO, served));
        server.createContext("/api/models/" + OPTIMUM_REPO + "/tree/main", exchange -> listing(exchange, OPTIMUM_REPO, optimum));
        server.createContext("/" + OPTIMUM_REPO + "/resolve/main/", exchange -> file(exchange, OPTIMUM_REPO, optimum));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static boolean isLfs(String path) {
        return path.endsWith(".onnx") || path.endsWith(".pt") || path.endsWith("_data") || path.endsWith(".bin");
    }

    /** One page of the tree listing, with a Link header to the next page as the hub sends it. */
    private void listing(HttpExchange exchange, String repo, Path served) throws IOException {
        if (listingStatus != 200) {
            respond(exchange, listingStatus, "{\"error\":\"unavailable\"}".getBytes(StandardCharsets.UTF_8));
            return;
        }
        List<String> entries = new ArrayList<>();
        entries.add("{\"type\":\"directory\",\"oid\":\"0000\",\"size\":0,\"path\":\"onnx\"}");
        try (Stream<Path> files = Files.walk(served)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String path = served.relativize(file).toString().replace('\\', '/');
                long size = Files.size(file);
                String lfs = isLfs(path) ? ",\"lfs\":{\"oid\":\"" + Digests.sha256Hex(file) + "\",\"size\":" + size
                        + ",\"pointerSize\":134}" : "";
                String oid = isLfs(path) ? "1111111111111111111111111111111111111111" : Digests.gitBlobSha1Hex(file);
                entries.add("{\"type\":\"file\",\"oid\":\"" + oid + "\",\"size\":" + size + ",\"path\":\"" + path + "\""
                        + lfs + "}");
            }
        }
        String query = exchange.getRequestURI().getQuery();
        assertThat(query).contains("recursive=true");
        int from = query.contains("cursor=") ? Integer.parseInt(query.replaceAll(".*cursor=(\\d+).*", "$1")) : 0;
        int to = Math.min(entries.size(), from + PAGE_SIZE);
        if (to < entries.size()) {
            exchange.getResponseHeaders().add("Link", "<" + endpoint() + "/api/models/" + repo
                    + "/tree/main?recursive=true&cursor=" + to + ">; rel=\"next\"");
        }
        respond(exchange, 200, ("[" + String.join(",", entries.subList(from, to)) + "]").getBytes(StandardCharsets.UTF_8));
    }

    private void file(HttpExchange exchange, String repo, Path served) throws IOException {
        fileRequests.incrementAndGet();
        String name = exchange.getRequestURI().getPath().substring(("/" + repo + "/resolve/main/").length());
        requested.add(name);
        Path file = served.resolve(name);
        if (!Files.isRegularFile(file)) {
            respond(exchange, 404, "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (name.equals(corruptFile)) {
            bytes[bytes.length / 2] ^= 0x01; // same length, one bit flipped
        }
        if (name.equals(brokenFile)) {
            // announce the full length, send half, then drop the connection
            exchange.sendResponseHeaders(200, bytes.length);
            OutputStream body = exchange.getResponseBody();
            body.write(bytes, 0, bytes.length / 2);
            body.flush();
            exchange.close();
            return;
        }
        respond(exchange, 200, bytes);
    }

    private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private HuggingFaceDownloader.Builder downloader() {
        return HuggingFaceDownloader.builder().hubEndpoint(endpoint()).cacheDirectory(cache).offline(false);
    }

    private Path cached(String file) {
        return downloader().build().localDirectory(REPO, "main").resolve(file);
    }

    private List<String> leftoverPartFiles() throws IOException {
        Path dir = downloader().build().localDirectory(REPO, "main");
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(name -> name.endsWith(".part")).toList();
        }
    }

    /** What SLF4J (slf4j-simple, writing to System.err) logs while the action runs. */
    private static String logged(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    @Test
    void downloads_the_model_once_over_all_listing_pages_and_scores_with_it() throws IOException {
        Path dir = downloader().build().download(REPO, "main", null);

        assertThat(dir.resolve("onnx/model.onnx")).hasSameBinaryContentAs(served.resolve("onnx/model.onnx"));
        assertThat(dir.resolve(EXTERNAL_DATA)).as("external data comes with the model")
                .hasSameBinaryContentAs(served.resolve(EXTERNAL_DATA));
        assertThat(dir.resolve(UNUSED_DATA)).as("a data file the graph does not reference stays").doesNotExist();
        assertThat(dir.resolve("tokenizer.json")).hasSameBinaryContentAs(served.resolve("tokenizer.json"));
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("tokenizer_config.json")).as("it holds the max length").exists();
        assertThat(dir.resolve("model.pt")).as("only the chosen engine's file is fetched").doesNotExist();
        assertThat(dir.resolve(HuggingFaceDownloader.MANIFEST_FILE)).exists();
        int requestsAfterFirst = fileRequests.get();
        assertThat(requestsAfterFirst).isEqualTo(5);

        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelId(REPO).hubEndpoint(endpoint()).cacheDirectory(cache).offline(false).build()) {
            assertThat(model.scoreAll(List.of(TextSegment.from("bones")), "vitamin d").content()).hasSize(1);
        }
        assertThat(fileRequests.get()).as("a second load re-uses the verified cache").isEqualTo(requestsAfterFirst);
    }

    @Test
    void a_file_that_does_not_match_the_hubs_sha256_is_refused_and_not_cached() throws IOException {
        corruptFile = "onnx/model.onnx";
        byte[] corrupted = Files.readAllBytes(served.resolve(corruptFile));
        corrupted[corrupted.length / 2] ^= 0x01;
        Path corruptedCopy = served.getParent().resolve("corrupted.onnx");
        Files.write(corruptedCopy, corrupted);

        assertThatThrownBy(() -> downloader().build().download(REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("onnx/model.onnx").hasMessageContaining("SHA-256")
                .hasMessageContaining("expected " + Digests.sha256Hex(served.resolve(corruptFile)))
                .hasMessageContaining("got " + Digests.sha256Hex(corruptedCopy));

        assertThat(cached(corruptFile)).doesNotExist();
        assertThat(leftoverPartFiles()).isEmpty();
    }

    @Test
    void a_small_file_is_checked_against_its_git_blob_id() {
        corruptFile = "tokenizer.json";

        assertThatThrownBy(() -> downloader().build().download(REPO, "main", null))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("tokenizer.json")
                .hasMessageContaining("Git blob id")
                .hasMessageContaining("expected " + Digests.gitBlobSha1Hex(served.resolve("tokenizer.json")));
        assertThat(cached("tokenizer.json")).doesNotExist();
    }

    @Test
    void a_cached_file_that_no_longer_matches_the_listing_is_fetched_again() throws IOException {
        downloader().build().download(REPO, "main", null);
        int before = fileRequests.get();
        // the revision moved: same name and size, new content on the hub
        Path config = served.resolve("config.json");
        String changed = Files.readString(config).replace("\"max_length\": 256", "\"max_length\": 128");
        assertThat(changed.length()).isEqualTo(Files.readString(config).length());
        Files.writeString(config, changed);

        downloader().build().download(REPO, "main", null);

        assertThat(fileRequests.get()).isEqualTo(before + 1);
        assertThat(cached("config.json")).hasSameBinaryContentAs(config);
    }

    @Test
    void an_unreachable_hub_falls_back_to_a_complete_cache_with_a_warning() {
        Path downloaded = downloader().build().download(REPO, "main", null);
        server.stop(0);

        String log = logged(() -> assertThat(downloader().build().download(REPO, "main", null)).isEqualTo(downloaded));

        assertThat(log).contains("WARN").contains("unreachable").contains(REPO);
    }

    @Test
    void a_hub_answering_503_is_treated_as_unreachable() {
        Path downloaded = downloader().build().download(REPO, "main", null);
        listingStatus = 503;

        assertThat(downloader().build().download(REPO, "main", null)).isEqualTo(downloaded);
    }

    @Test
    void an_unreachable_hub_with_an_incomplete_cache_names_the_missing_files() throws IOException {
        downloader().build().download(REPO, "main", null);
        Files.delete(cached(EXTERNAL_DATA));
        server.stop(0);

        assertThatThrownBy(() -> downloader().build().download(REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("not complete").hasMessageContaining(EXTERNAL_DATA)
                .hasMessageContaining("unreachable").hasMessageContaining(cache.toString());
    }

    @Test
    void offline_mode_uses_the_cache_and_never_the_network() {
        downloader().build().download(REPO, "main", null);
        int before = fileRequests.get();
        server.stop(0);

        Path dir = downloader().offline(true).build().download(REPO, "main", null);

        assertThat(dir.resolve("onnx/model.onnx")).exists();
        assertThat(fileRequests.get()).isEqualTo(before);
    }

    @Test
    void offline_mode_without_cached_model_says_what_is_missing() {
        assertThatThrownBy(() -> downloader().offline(true).build().download(REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("offline").hasMessageContaining(REPO).hasMessageContaining(cache.toString())
                .hasMessageContaining("config.json").hasMessageContaining("tokenizer.json")
                .hasMessageContaining("onnx/model.onnx");
        assertThat(fileRequests.get()).isZero();
    }

    @Test
    void broken_connection_leaves_no_partial_file_and_a_clear_error() throws IOException {
        brokenFile = "onnx/model.onnx";

        assertThatThrownBy(() -> downloader().build().download(REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("onnx/model.onnx").hasMessageContaining("failed");

        assertThat(cached("onnx/model.onnx")).doesNotExist();
        assertThat(leftoverPartFiles()).isEmpty();

        brokenFile = null; // the next attempt completes the download
        Path complete = downloader().build().download(REPO, "main", null);
        assertThat(complete.resolve("onnx/model.onnx")).hasSameBinaryContentAs(served.resolve("onnx/model.onnx"));
    }

    @Test
    void optimum_layout_fetches_the_root_graph_and_exactly_the_data_file_it_references() {
        Path dir = downloader().build().download(OPTIMUM_REPO, "main", null);

        assertThat(requested).containsExactlyInAnyOrder("config.json", "tokenizer.json", "tokenizer_config.json",
                "model.onnx", OPTIMUM_DATA);
        assertThat(dir.resolve(OPTIMUM_DATA)).hasSameBinaryContentAs(optimum.resolve(OPTIMUM_DATA));
        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelId(OPTIMUM_REPO).hubEndpoint(endpoint()).cacheDirectory(cache).offline(true).build()) {
            assertThat(model.scoreAll(List.of(TextSegment.from("bones")), "vitamin d").content()).hasSize(1);
        }
    }

    @Test
    void offline_mode_requires_the_data_file_the_graph_references() throws IOException {
        Path dir = downloader().build().download(OPTIMUM_REPO, "main", null);
        Files.delete(dir.resolve(OPTIMUM_DATA));

        assertThatThrownBy(() -> downloader().offline(true).build().download(OPTIMUM_REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("offline").hasMessageContaining(OPTIMUM_DATA);
    }

    @Test
    void a_graph_referencing_a_file_the_repository_lacks_is_named() throws IOException {
        Files.delete(optimum.resolve(OPTIMUM_DATA));

        assertThatThrownBy(() -> downloader().build().download(OPTIMUM_REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining(OPTIMUM_DATA).hasMessageContaining(OPTIMUM_REPO);
    }

    @Test
    void unknown_repository_names_the_url() {
        assertThatThrownBy(() -> downloader().build().download("test-org/missing", "main", null))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("test-org/missing").hasMessageContaining("404");
    }

    @Test
    void malformed_repository_id_is_rejected() {
        assertThatThrownBy(() -> downloader().build().download("../../etc", "main", null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modelId");
    }
}

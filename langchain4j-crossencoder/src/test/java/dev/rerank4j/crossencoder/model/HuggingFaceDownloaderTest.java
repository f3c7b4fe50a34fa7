package dev.rerank4j.crossencoder.model;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.data.segment.TextSegment;
import dev.rerank4j.crossencoder.scoring.CrossEncoderScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Downloads from a real local HTTP server laid out like the Hugging Face hub, serving the tiny-ce fixture. */
class HuggingFaceDownloaderTest {

    private static final String REPO = "test-org/tiny-ce";
    private static final String OPTIMUM_REPO = "test-org/tiny-xlmr-optimum-ce";

    @TempDir
    Path cache;

    private HttpServer server;
    private final AtomicInteger fileRequests = new AtomicInteger();
    private final List<String> requested = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile String brokenFile;
    private Path fixture;
    private Path optimum;

    @TempDir
    Path served;

    @BeforeEach
    void startServer() throws IOException {
        fixture = TestModels.resourceModel("tiny-ce");
        // Optimum layout: root model.onnx whose graph references tiny_xlmr_weights.bin, plus data files it does not use
        optimum = served.resolve("optimum");
        TestModels.copyTree(TestModels.resourceModel("tiny-xlmr-optimum-ce"), optimum);
        Files.write(optimum.resolve("model.onnx_data"), new byte[1000]);
        Files.createDirectories(optimum.resolve("onnx"));
        Files.write(optimum.resolve("onnx/model.onnx_data"), new byte[1000]);
        Files.write(optimum.resolve("onnx/model_fp16.onnx"), new byte[10]);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serve(REPO, () -> fixture);
        serve(OPTIMUM_REPO, () -> optimum);
        server.start();
    }

    private void serve(String repo, java.util.function.Supplier<Path> root) {
        server.createContext("/api/models/" + repo + "/revision/main", exchange -> listing(exchange, repo, root.get()));
        server.createContext("/" + repo + "/resolve/main/", exchange -> file(exchange, repo, root.get()));
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void listing(HttpExchange exchange, String repo, Path root) throws IOException {
        String siblings;
        try (Stream<Path> files = Files.walk(root)) {
            siblings = files.filter(Files::isRegularFile)
                    .map(p -> "{\"rfilename\":\"" + root.relativize(p).toString().replace('\\', '/') + "\"}")
                    .collect(Collectors.joining(","));
        }
        respond(exchange, 200, ("{\"id\":\"" + repo + "\",\"siblings\":[" + siblings + "]}").getBytes(StandardCharsets.UTF_8));
    }

    private void file(HttpExchange exchange, String repo, Path root) throws IOException {
        fileRequests.incrementAndGet();
        String name = exchange.getRequestURI().getPath().substring(("/" + repo + "/resolve/main/").length());
        requested.add(name);
        Path file = root.resolve(name);
        if (!Files.isRegularFile(file)) {
            respond(exchange, 404, "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
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
        return HuggingFaceDownloader.builder().endpoint(endpoint()).cacheDirectory(cache).showProgress(false);
    }

    @Test
    void downloads_the_model_once_and_scores_with_it() throws IOException {
        Path dir = downloader().build().download(REPO, "main", null);

        assertThat(dir.resolve("onnx/model.onnx")).hasSameBinaryContentAs(fixture.resolve("onnx/model.onnx"));
        assertThat(dir.resolve("tokenizer.json")).hasSameBinaryContentAs(fixture.resolve("tokenizer.json"));
        assertThat(dir.resolve("config.json")).exists();
        assertThat(dir.resolve("tokenizer_config.json")).as("it holds the max length").exists();
        assertThat(dir.resolve("model.pt")).as("only the chosen engine's file is fetched").doesNotExist();
        int requestsAfterFirst = fileRequests.get();
        assertThat(requestsAfterFirst).isEqualTo(4);

        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelId(REPO).hubEndpoint(endpoint()).cacheDirectory(cache).showProgress(false).build()) {
            assertThat(model.scoreAll(List.of(TextSegment.from("bones")), "vitamin d").content()).hasSize(1);
        }
        assertThat(fileRequests.get()).as("a second load re-uses the cache").isEqualTo(requestsAfterFirst);
    }

    @Test
    void offline_mode_uses_the_cache_and_never_the_network() {
        downloader().build().download(REPO, "main", null);
        server.stop(0);

        Path dir = downloader().offline(true).build().download(REPO, "main", null);

        assertThat(dir.resolve("onnx/model.onnx")).exists();
    }

    @Test
    void offline_mode_without_cached_model_says_so() {
        assertThatThrownBy(() -> downloader().offline(true).build().download(REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("Offline").hasMessageContaining(REPO).hasMessageContaining(cache.toString());
        assertThat(fileRequests.get()).isZero();
    }

    @Test
    void broken_connection_leaves_no_partial_file_and_a_clear_error() throws IOException {
        brokenFile = "onnx/model.onnx";

        assertThatThrownBy(() -> downloader().build().download(REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("onnx/model.onnx").hasMessageContaining("failed");

        Path dir = downloader().build().localDirectory(REPO, "main");
        assertThat(dir.resolve("onnx/model.onnx")).doesNotExist();
        try (Stream<Path> left = Files.walk(dir)) {
            assertThat(left.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.endsWith(".part")).doesNotContain("model.onnx");
        }

        brokenFile = null; // the next attempt completes the download
        Path complete = downloader().build().download(REPO, "main", null);
        assertThat(complete.resolve("onnx/model.onnx")).hasSameBinaryContentAs(fixture.resolve("onnx/model.onnx"));
    }

    @Test
    void fetches_exactly_the_external_data_the_chosen_graph_references() {
        Path dir = downloader().build().download(OPTIMUM_REPO, "main", null);

        assertThat(requested).containsExactlyInAnyOrder("config.json", "tokenizer.json", "tokenizer_config.json",
                "model.onnx", "tiny_xlmr_weights.bin");
        assertThat(dir.resolve("tiny_xlmr_weights.bin")).hasSameBinaryContentAs(optimum.resolve("tiny_xlmr_weights.bin"));
        try (CrossEncoderScoringModel model = CrossEncoderScoringModel.builder()
                .modelId(OPTIMUM_REPO).hubEndpoint(endpoint()).cacheDirectory(cache).offline(true).build()) {
            assertThat(model.scoreAll(List.of(TextSegment.from("bones")), "vitamin d").content()).hasSize(1);
        }
    }

    @Test
    void offline_mode_requires_the_external_data_too() throws IOException {
        Path dir = downloader().build().download(OPTIMUM_REPO, "main", null);
        Files.delete(dir.resolve("tiny_xlmr_weights.bin"));

        assertThatThrownBy(() -> downloader().offline(true).build().download(OPTIMUM_REPO, "main", null))
                .isInstanceOf(ModelLoadException.class).hasMessageContaining("Offline");
    }

    @Test
    void a_graph_referencing_a_file_the_repository_lacks_is_named() throws IOException {
        Files.move(optimum.resolve("tiny_xlmr_weights.bin"), served.resolve("elsewhere.bin"));

        assertThatThrownBy(() -> downloader().build().download(OPTIMUM_REPO, "main", null))
                .isInstanceOf(ModelLoadException.class)
                .hasMessageContaining("tiny_xlmr_weights.bin").hasMessageContaining(OPTIMUM_REPO);
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

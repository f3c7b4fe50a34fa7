package dev.rerank4j.crossencoder.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Where tests find models and data: tiny fixtures from test resources, full-size stand-ins and data sets from the
 * read-only {@code ../shared} folder (system property {@code rerank4j.shared.dir}). Tests that need {@code ../shared}
 * skip with a visible message when it is absent.
 */
public final class TestModels {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestModels() {
    }

    /** A model copied into test resources under {@code models/NAME}. */
    public static Path resourceModel(String name) {
        URL url = TestModels.class.getClassLoader().getResource("models/" + name + "/config.json");
        if (url == null) {
            throw new IllegalStateException("test resource models/" + name + " is missing");
        }
        if ("jar".equals(url.getProtocol())) {
            // Other modules read this from the test-jar (e.g. in `mvn verify`): copy the model out once per JVM.
            return EXTRACTED.computeIfAbsent(name, n -> extractFromJar(n, url));
        }
        try {
            return Paths.get(url.toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A file under test resources (e.g. {@code onnx-graphs/position_ids.onnx}). */
    public static Path resource(String relative) {
        URL url = TestModels.class.getClassLoader().getResource(relative);
        if (url == null || "jar".equals(url.getProtocol())) {
            throw new IllegalStateException("test resource " + relative + " is missing or not a file");
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.Map<String, Path> EXTRACTED = new java.util.concurrent.ConcurrentHashMap<>();

    private static Path extractFromJar(String name, URL configUrl) {
        try {
            java.net.URI uri = configUrl.toURI();
            java.nio.file.FileSystem jar;
            try {
                jar = java.nio.file.FileSystems.newFileSystem(uri, java.util.Map.of());
            } catch (java.nio.file.FileSystemAlreadyExistsException e) {
                jar = java.nio.file.FileSystems.getFileSystem(uri);
            }
            Path target = Files.createTempDirectory("rerank4j-test-model-" + name);
            copyTree(jar.getPath("/models/" + name), target);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract test model " + name + " from " + configUrl, e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Qwen3's published tokenizer (11 MB), kept once in ../shared instead of in every decoder fixture. */
    public static final String QWEN3_TOKENIZER = "models/tokenizers/qwen3/tokenizer.json";

    private static final java.util.Map<String, Path> ASSEMBLED = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * A decoder-reranker fixture from test resources ({@code tiny-qwen3-reranker-*}) made whole: its files plus the
     * real Qwen3 {@code tokenizer.json} from ../shared, copied into a temporary directory once per JVM. Skips the
     * test (with the reason printed) when ../shared is absent.
     */
    public static Path decoderFixture(String name) {
        Path tokenizer = requireShared(QWEN3_TOKENIZER);
        return ASSEMBLED.computeIfAbsent(name, n -> {
            try {
                Path target = Files.createTempDirectory("rerank4j-" + n);
                copyTree(resourceModel(n), target);
                Files.copy(tokenizer, target.resolve("tokenizer.json"));
                return target;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot assemble decoder fixture " + n, e);
            }
        });
    }

    public static Path sharedDir() {
        String configured = System.getProperty("rerank4j.shared.dir");
        return Paths.get(configured != null ? configured : "../shared").toAbsolutePath().normalize();
    }

    /** A folder under ../shared, or a skipped test (with the reason printed) when it is absent. */
    public static Path requireShared(String relative) {
        Path path = sharedDir().resolve(relative);
        if (!Files.exists(path)) {
            String message = "SKIPPED: " + path + " is absent (the read-only ../shared folder); test needs it";
            System.err.println(message);
            Assumptions.abort(message);
        }
        return path;
    }

    public static JsonNode readJson(Path file) {
        try {
            return MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A cross-encoder directory (tiny-ce's config.json and tokenizer.json) whose ONNX model is
     * {@link OnnxModelWriter#writeSlowCrossEncoder}: quick for one row, seconds for hundreds, stoppable part-way.
     */
    public static Path slowCrossEncoder(Path dir) {
        Path tiny = resourceModel("tiny-ce");
        try {
            Files.createDirectories(dir);
            Files.copy(tiny.resolve("config.json"), dir.resolve("config.json"));
            Files.copy(tiny.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        OnnxModelWriter.writeSlowCrossEncoder(dir.resolve("onnx/model.onnx"), 256, 2000);
        return dir;
    }

    /** Copies a directory tree (e.g. a model fixture into a temp dir a test may break). */
    public static void copyTree(Path from, Path to) {
        try (var paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

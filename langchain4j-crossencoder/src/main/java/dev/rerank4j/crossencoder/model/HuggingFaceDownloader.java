package dev.rerank4j.crossencoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.runtime.internal.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * Fetches a model repository from the Hugging Face hub (or any server with the same URL layout) into a local cache,
 * once. Each file is streamed to a temporary file, checked against the announced size, and renamed into place, so
 * an interrupted download never leaves a partial file where a complete one is expected. In offline mode only the
 * cache is used.
 */
public final class HuggingFaceDownloader {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    private static final Logger log = LoggerFactory.getLogger(HuggingFaceDownloader.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");

    private final String endpoint;
    private final Path cacheDirectory;
    private final boolean offline;
    private final boolean showProgress;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    private HuggingFaceDownloader(Builder builder) {
        this.endpoint = stripTrailingSlash(builder.endpoint != null ? builder.endpoint : defaultEndpoint());
        this.cacheDirectory = builder.cacheDirectory != null ? builder.cacheDirectory : defaultCacheDirectory();
        this.offline = builder.offline;
        this.showProgress = builder.showProgress;
        this.token = builder.token != null ? builder.token : System.getenv("HF_TOKEN");
        this.timeout = builder.timeout;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(builder.timeout)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code $RERANK4J_CACHE}, else {@code ~/.cache/rerank4j/models}. */
    public static Path defaultCacheDirectory() {
        String env = System.getenv("RERANK4J_CACHE");
        if (env != null && !env.isBlank()) {
            return Paths.get(env);
        }
        return Paths.get(System.getProperty("user.home"), ".cache", "rerank4j", "models");
    }

    private static String defaultEndpoint() {
        String env = System.getenv("HF_ENDPOINT");
        return env != null && !env.isBlank() ? env : DEFAULT_ENDPOINT;
    }

    /** Where a repository's files live in the cache. */
    public Path localDirectory(String repoId, String revision) {
        return cacheDirectory.resolve(repoId.replace("/", "--")).resolve(revision);
    }

    /**
     * Makes sure the repository's model files are in the cache and returns the local directory. Required are
     * {@code config.json}, {@code tokenizer.json} and one model: {@code onnxFile} with exactly the external-data files
     * its graph references, if the repository has it, else {@code model.pt}. {@code tokenizer_config.json} and
     * {@code sentence_bert_config.json} come along when present (they hold the max length), and so does a decoder
     * reranker's {@code prompt_template.json}.
     *
     * @param onnxFile the ONNX file to fetch, relative to the repository root (default {@code onnx/model.onnx}, else
     *                 {@code model.onnx} at the root, the layout of Optimum exports)
     */
    public Path download(String repoId, String revision, String onnxFile) {
        validateRepoId(repoId);
        String rev = revision == null || revision.isBlank() ? "main" : revision;
        Path target = localDirectory(repoId, rev);
        if (offline) {
            return requireCached(repoId, target, onnxFile);
        }
        Map<String, OptionalLong> listing = listFiles(repoId, rev);
        String onnx = onnxFile != null ? onnxFile
                : !listing.containsKey(ModelDirectory.ONNX_FILE) && listing.containsKey(ModelDirectory.ROOT_ONNX_FILE)
                ? ModelDirectory.ROOT_ONNX_FILE : ModelDirectory.ONNX_FILE;
        for (String file : chooseFiles(repoId, listing, onnx)) {
            fetchIfNeeded(repoId, rev, file, target, listing);
        }
        if (listing.containsKey(onnx)) {
            Path graph = target.resolve(onnx);
            for (String data : externalDataFiles(graph, onnx)) {
                if (!listing.containsKey(data)) {
                    throw new ModelLoadException("ONNX model " + onnx + " of " + repoId + " references external data "
                            + data + ", which the repository does not have (files: " + listing.keySet() + ")");
                }
                fetchIfNeeded(repoId, rev, data, target, listing);
            }
        }
        return target;
    }

    private void fetchIfNeeded(String repoId, String rev, String file, Path target, Map<String, OptionalLong> listing) {
        Path local = target.resolve(file);
        if (!Files.isRegularFile(local) || !sizeMatches(local, listing.get(file))) {
            fetch(repoId, rev, file, local, listing.get(file));
        }
    }

    /** Repository paths of the external-data files a downloaded graph references. */
    private static List<String> externalDataFiles(Path graph, String onnx) {
        String folder = onnx.contains("/") ? onnx.substring(0, onnx.lastIndexOf('/') + 1) : "";
        return OnnxExternalData.locations(graph).stream()
                .map(location -> Path.of(folder + location).normalize().toString().replace('\\', '/'))
                .toList();
    }

    private static boolean sizeMatches(Path local, OptionalLong expected) {
        try {
            return expected == null || expected.isEmpty() || Files.size(local) == expected.getAsLong();
        } catch (IOException e) {
            return false;
        }
    }

    private Path requireCached(String repoId, Path target, String onnxFile) {
        List<String> onnxCandidates = onnxFile != null ? List.of(onnxFile)
                : List.of(ModelDirectory.ONNX_FILE, ModelDirectory.ROOT_ONNX_FILE);
        boolean hasModel = Files.isRegularFile(target.resolve(ModelDirectory.TORCHSCRIPT_FILE));
        for (String onnx : onnxCandidates) {
            Path graph = target.resolve(onnx);
            if (Files.isRegularFile(graph)) {
                hasModel = externalDataFiles(graph, onnx).stream().allMatch(f -> Files.isRegularFile(target.resolve(f)));
                break;
            }
        }
        if (Files.isRegularFile(target.resolve(ModelDirectory.CONFIG_FILE))
                && Files.isRegularFile(target.resolve(ModelDirectory.TOKENIZER_FILE)) && hasModel) {
            return target;
        }
        throw new ModelLoadException("Offline mode: model " + repoId + " is not in the cache directory " + target
                + "; download it once without offline mode or point modelDirectory to a local copy");
    }

    private static List<String> chooseFiles(String repoId, Map<String, OptionalLong> listing, String onnx) {
        List<String> files = new ArrayList<>();
        for (String required : List.of(ModelDirectory.CONFIG_FILE, ModelDirectory.TOKENIZER_FILE)) {
            if (!listing.containsKey(required)) {
                throw new ModelLoadException("Model repository " + repoId + " has no " + required
                        + " (files: " + listing.keySet() + ")");
            }
            files.add(required);
        }
        for (String optional : List.of(ModelDirectory.TOKENIZER_CONFIG_FILE, ModelDirectory.SENTENCE_BERT_CONFIG_FILE,
                ModelDirectory.PROMPT_TEMPLATE_FILE)) {
            if (listing.containsKey(optional)) {
                files.add(optional);
            }
        }
        if (listing.containsKey(onnx)) {
            files.add(onnx); // its external data is fetched once the graph says which files it uses
        } else if (listing.containsKey(ModelDirectory.TORCHSCRIPT_FILE)) {
            files.add(ModelDirectory.TORCHSCRIPT_FILE);
        } else {
            throw new ModelLoadException("Model repository " + repoId + " has neither " + onnx + " nor "
                    + ModelDirectory.TORCHSCRIPT_FILE + " (files: " + listing.keySet() + ")");
        }
        return files;
    }

    /** File names and, where the server says, sizes: {@code GET /api/models/{repo}/revision/{rev}?blobs=true}. */
    private Map<String, OptionalLong> listFiles(String repoId, String revision) {
        URI uri = URI.create(endpoint + "/api/models/" + repoId + "/revision/" + encode(revision) + "?blobs=true");
        try {
            HttpResponse<InputStream> response = http.send(request(uri), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new ModelLoadException("Cannot list model repository " + repoId + " at " + uri + ": HTTP "
                            + response.statusCode());
                }
                JsonNode siblings = MAPPER.readTree(body).path("siblings");
                Map<String, OptionalLong> files = new LinkedHashMap<>();
                for (JsonNode sibling : siblings) {
                    JsonNode size = sibling.get("size");
                    files.put(sibling.path("rfilename").asText(),
                            size != null && size.canConvertToLong() ? OptionalLong.of(size.asLong()) : OptionalLong.empty());
                }
                return files;
            }
        } catch (IOException e) {
            throw new ModelLoadException("Cannot list model repository " + repoId + " at " + uri + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("Interrupted while listing " + uri, e);
        }
    }

    private void fetch(String repoId, String revision, String file, Path local, OptionalLong listedSize) {
        URI uri = URI.create(endpoint + "/" + repoId + "/resolve/" + encode(revision) + "/" + file);
        Path temp = null;
        long written = 0;
        long expected = -1;
        try {
            Files.createDirectories(local.getParent());
            temp = Files.createTempFile(local.getParent(), "." + local.getFileName(), ".part");
            HttpResponse<InputStream> response = http.send(request(uri), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new ModelLoadException("Download of " + uri + " failed: HTTP " + response.statusCode());
                }
                expected = response.headers().firstValueAsLong("Content-Length")
                        .orElse(listedSize != null ? listedSize.orElse(-1) : -1);
                written = copy(body, temp, file, expected);
            }
            if (expected >= 0 && written != expected) {
                throw new IOException("received " + written + " of " + expected + " bytes");
            }
            if (listedSize != null && listedSize.isPresent() && written != listedSize.getAsLong()) {
                throw new IOException("received " + written + " bytes but the repository lists " + listedSize.getAsLong());
            }
            moveIntoPlace(temp, local);
            log.info("Downloaded {} ({} bytes) to {}", uri, written, local);
        } catch (IOException e) {
            throw new ModelLoadException("Download of " + uri + " failed after " + written + " of "
                    + (expected >= 0 ? expected + " bytes" : "an unknown number of bytes") + ": " + e.getMessage()
                    + " (nothing was written to " + local + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("Interrupted while downloading " + uri, e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private long copy(InputStream body, Path temp, String name, long expected) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(temp);
             Progress progress = Progress.start("Downloading " + name, expected, "MiB", 1 << 20, showProgress, log)) {
            int n;
            while ((n = body.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                total += n;
                progress.stepTo(total);
            }
        }
        return total;
    }

    private static void moveIntoPlace(Path temp, Path local) throws IOException {
        try {
            Files.move(temp, local, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, local, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private HttpRequest request(URI uri) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("User-Agent", "rerank4j");
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        return request.build();
    }

    private static void validateRepoId(String repoId) {
        if (repoId == null || !REPO_ID.matcher(repoId).matches() || repoId.contains("..")) {
            throw new IllegalArgumentException("modelId must look like 'owner/name', was '" + repoId + "'");
        }
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static String stripTrailingSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    private static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a leftover .part file is harmless: it is never read as a model file
            }
        }
    }

    public static final class Builder {
        private String endpoint;
        private Path cacheDirectory;
        private boolean offline;
        private boolean showProgress;
        private String token;
        private Duration timeout = Duration.ofSeconds(60);

        /** Base URL of the hub (default {@code $HF_ENDPOINT} or https://huggingface.co). */
        public Builder endpoint(String endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        public Builder cacheDirectory(Path cacheDirectory) {
            this.cacheDirectory = cacheDirectory;
            return this;
        }

        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public Builder showProgress(boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        /** Access token for gated repositories (default {@code $HF_TOKEN}). */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        public HuggingFaceDownloader build() {
            return new HuggingFaceDownloader(this);
        }
    }
}

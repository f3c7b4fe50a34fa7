package dev.rerank4j.crossencoder.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.runtime.internal.Digests;
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
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.langchain4j.internal.Utils.getOrDefault;

/**
 * Fetches a model repository from the Hugging Face hub (or any server with the same API) into a local cache, once.
 *
 * <ul>
 *   <li>The file list comes from the hub's tree API ({@code GET /api/models/{id}/tree/{revision}?recursive=true},
 *   paged by {@code Link} headers), with each file's size and hash: the SHA-256 of LFS files ({@code lfs.oid}),
 *   the Git blob id of the others ({@code oid}).</li>
 *   <li>Each file is streamed to a temporary file, checked against the listed size and hash, and only then renamed
 *   into place: an interrupted or corrupted download never leaves a file where the model is expected. A cached file
 *   whose hash differs from the listing (the revision moved) is fetched again.</li>
 *   <li>What was verified is recorded in {@value #MANIFEST_FILE} in the revision's folder, so a later load neither
 *   hashes gigabytes again nor guesses which files make the model complete.</li>
 *   <li>When the hub cannot be reached (connection error, timeout, HTTP 5xx or 429), a complete cached copy is used
 *   and a warning logged; an incomplete one fails with the missing files named. {@code offline(true)} (or
 *   {@code $HF_HUB_OFFLINE=1}) never touches the network.</li>
 * </ul>
 */
public final class HuggingFaceDownloader {

    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";
    /** Per-revision record of the files downloaded and the hashes they were verified against. */
    public static final String MANIFEST_FILE = DownloadCache.MANIFEST_FILE;
    private static final Logger log = LoggerFactory.getLogger(HuggingFaceDownloader.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern REPO_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?");
    private static final Pattern NEXT_LINK = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");

    private final String endpoint;
    private final Path cacheDirectory;
    private final boolean offline;
    private final boolean showProgress;
    private final String token;
    private final HttpClient http;
    private final Duration timeout;

    private HuggingFaceDownloader(Builder builder) {
        this.endpoint = stripTrailingSlash(getOrDefault(builder.hubEndpoint, HuggingFaceDownloader::defaultEndpoint));
        this.cacheDirectory = getOrDefault(builder.cacheDirectory, HuggingFaceDownloader::defaultCacheDirectory);
        this.offline = getOrDefault(builder.offline, HuggingFaceDownloader::offlineFromEnvironment);
        this.showProgress = getOrDefault(builder.showProgress, false);
        this.token = getOrDefault(builder.hubToken, () -> System.getenv("HF_TOKEN"));
        this.timeout = getOrDefault(builder.timeout, Duration.ofSeconds(60));
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(timeout)
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

    /** {@code $HF_HUB_OFFLINE} as huggingface_hub reads it: 1, ON, YES or TRUE. */
    private static boolean offlineFromEnvironment() {
        String env = System.getenv("HF_HUB_OFFLINE");
        return env != null && Set.of("1", "ON", "YES", "TRUE").contains(env.trim().toUpperCase(Locale.ROOT));
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
        String rev = revision == null || revision.isBlank() ? ModelBuilder.DEFAULT_REVISION : revision;
        Path target = localDirectory(repoId, rev);
        DownloadCache cache = DownloadCache.open(target);
        if (offline) {
            return requireComplete(repoId, cache, cachedOnnxFile(cache, onnxFile), "offline mode");
        }
        Map<String, RemoteFile> listing;
        try {
            listing = listFiles(repoId, rev);
        } catch (HubUnreachableException e) {
            Path cached = requireComplete(repoId, cache, cachedOnnxFile(cache, onnxFile),
                    "the hub is unreachable: " + e.getMessage());
            log.warn("Hugging Face hub unreachable ({}); using the cached copy of {} at {} without checking it for "
                    + "updates", e.getMessage(), repoId, cached);
            return cached;
        }
        String onnx = onnxFile != null ? onnxFile
                : !listing.containsKey(ModelDirectory.ONNX_FILE) && listing.containsKey(ModelDirectory.ROOT_ONNX_FILE)
                ? ModelDirectory.ROOT_ONNX_FILE : ModelDirectory.ONNX_FILE;
        for (String file : chooseFiles(repoId, listing, onnx)) {
            fetchIfNeeded(repoId, rev, listing.get(file), cache);
        }
        if (listing.containsKey(onnx)) {
            for (String data : externalDataFiles(target.resolve(onnx), onnx)) {
                if (!listing.containsKey(data)) {
                    throw new ModelLoadException("ONNX model " + onnx + " of " + repoId + " references external data "
                            + data + ", which the repository does not have (files: " + listing.keySet() + ")");
                }
                fetchIfNeeded(repoId, rev, listing.get(data), cache);
            }
        }
        return target;
    }

    private void fetchIfNeeded(String repoId, String rev, RemoteFile remote, DownloadCache cache) {
        if (!cache.isCurrent(remote)) {
            fetch(repoId, rev, remote, cache.directory().resolve(remote.path()));
        }
        cache.recordVerified(remote);
    }

    /** Without a listing: the named ONNX file, else whichever default layout the cache holds. */
    private static String cachedOnnxFile(DownloadCache cache, String onnxFile) {
        if (onnxFile != null) {
            return onnxFile;
        }
        return !Files.isRegularFile(cache.directory().resolve(ModelDirectory.ONNX_FILE))
                && Files.isRegularFile(cache.directory().resolve(ModelDirectory.ROOT_ONNX_FILE))
                ? ModelDirectory.ROOT_ONNX_FILE : ModelDirectory.ONNX_FILE;
    }

    /** Repository paths of the external-data files a downloaded graph references ({@link OnnxExternalData}). */
    static List<String> externalDataFiles(Path graph, String onnx) {
        String folder = onnx.contains("/") ? onnx.substring(0, onnx.lastIndexOf('/') + 1) : "";
        return OnnxExternalData.locations(graph).stream()
                .map(location -> Path.of(folder + location).normalize().toString().replace('\\', '/'))
                .toList();
    }

    private static Path requireComplete(String repoId, DownloadCache cache, String onnx, String reason) {
        List<String> missing = cache.missingFiles(onnx);
        if (missing.isEmpty()) {
            return cache.directory();
        }
        throw new ModelLoadException("Model " + repoId + " is not complete in the cache directory " + cache.directory()
                + " (" + reason + "): missing " + String.join(", ", missing) + ". Download it once with the hub "
                + "reachable, or point modelDirectory to a local copy");
    }

    private static List<String> chooseFiles(String repoId, Map<String, RemoteFile> listing, String onnx) {
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

    /** Every file of the revision with its size and hash, following the tree API's pages. */
    private Map<String, RemoteFile> listFiles(String repoId, String revision) {
        Map<String, RemoteFile> files = new LinkedHashMap<>();
        URI uri = URI.create(endpoint + "/api/models/" + repoId + "/tree/" + encode(revision) + "?recursive=true");
        while (uri != null) {
            HttpResponse<InputStream> response = send(uri, repoId);
            try (InputStream body = response.body()) {
                int status = response.statusCode();
                if (status >= 500 || status == 429) {
                    throw new HubUnreachableException("HTTP " + status + " from " + uri);
                }
                if (status != 200) {
                    throw new ModelLoadException("Cannot list model repository " + repoId + " at " + uri + ": HTTP "
                            + status + (status == 401 || status == 403 ? " (a gated or private repository needs "
                            + "hubToken or $HF_TOKEN)" : ""));
                }
                JsonNode entries = MAPPER.readTree(body);
                if (!entries.isArray()) {
                    throw new ModelLoadException("Unexpected answer listing " + repoId + " at " + uri
                            + ": expected a JSON array of files");
                }
                for (JsonNode entry : entries) {
                    if ("file".equals(entry.path("type").asText("file")) && entry.hasNonNull("path")) {
                        RemoteFile file = RemoteFile.from(entry);
                        files.put(file.path(), file);
                    }
                }
            } catch (IOException e) {
                throw new ModelLoadException("Cannot read the file list of " + repoId + " from " + uri + ": " + e, e);
            }
            uri = nextPage(response, uri);
        }
        return files;
    }

    private HttpResponse<InputStream> send(URI uri, String repoId) {
        try {
            return http.send(request(uri), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new HubUnreachableException(e + " (" + uri + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelLoadException("Interrupted while listing " + repoId + " at " + uri, e);
        }
    }

    private static URI nextPage(HttpResponse<?> response, URI current) {
        for (String link : response.headers().allValues("Link")) {
            Matcher next = NEXT_LINK.matcher(link);
            if (next.find()) {
                return current.resolve(next.group(1));
            }
        }
        return null;
    }

    private void fetch(String repoId, String revision, RemoteFile remote, Path local) {
        URI uri = URI.create(endpoint + "/" + repoId + "/resolve/" + encode(revision) + "/" + remote.path());
        Path temp = null;
        long written = 0;
        long expected = -1;
        try {
            Files.createDirectories(local.getParent());
            temp = Files.createTempFile(local.getParent(), "." + local.getFileName(), ".part");
            HttpResponse<InputStream> response = http.send(request(uri), HttpResponse.BodyHandlers.ofInputStream());
            MessageDigest digest = remote.sha256() != null ? Digests.sha256() : gitBlobDigest(remote);
            try (InputStream body = response.body()) {
                if (response.statusCode() != 200) {
                    throw new ModelLoadException("Download of " + uri + " failed: HTTP " + response.statusCode());
                }
                expected = response.headers().firstValueAsLong("Content-Length").orElse(remote.size());
                written = copy(body, temp, remote.path(), expected, digest);
            }
            if (expected >= 0 && written != expected) {
                throw new IOException("received " + written + " of " + expected + " bytes");
            }
            if (remote.size() >= 0 && written != remote.size()) {
                throw new IOException("received " + written + " bytes but the repository lists " + remote.size());
            }
            verifyHash(uri, remote, digest, local);
            moveIntoPlace(temp, local);
            log.info("Downloaded {} ({} bytes, {} verified) to {}", uri, written,
                    remote.sha256() != null ? "SHA-256" : remote.gitOid() != null ? "Git blob id" : "size", local);
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

    /** Git hashes {@code "blob <size>\0"} before the content; null when the listing gives no blob id. */
    private static MessageDigest gitBlobDigest(RemoteFile remote) {
        return remote.gitOid() == null || remote.size() < 0 ? null : Digests.gitBlobSha1(remote.size());
    }

    private static void verifyHash(URI uri, RemoteFile remote, MessageDigest digest, Path local) {
        if (digest == null) {
            return;
        }
        String actual = Digests.hex(digest);
        String expected = remote.sha256() != null ? remote.sha256() : remote.gitOid();
        if (!expected.equalsIgnoreCase(actual)) {
            String kind = remote.sha256() != null ? "SHA-256" : "Git blob id";
            throw new ModelLoadException("Downloaded " + remote.path() + " from " + uri + " does not match the hub's "
                    + kind + ": expected " + expected + ", got " + actual
                    + " (corrupted in transit or by a proxy; nothing was written to " + local + ")");
        }
    }

    private long copy(InputStream body, Path temp, String name, long expected, MessageDigest digest) throws IOException {
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        try (OutputStream out = Files.newOutputStream(temp);
             Progress progress = Progress.start("Downloading " + name, expected, "MiB", 1 << 20, showProgress, log)) {
            int n;
            while ((n = body.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                if (digest != null) {
                    digest.update(buffer, 0, n);
                }
                total += n;
                progress.stepTo(total);
            }
        }
        return total;
    }

    static void moveIntoPlace(Path temp, Path local) throws IOException {
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

    /** Checked when a builder is built, and again before each download. */
    static void validateRepoId(String repoId) {
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

    static void deleteQuietly(Path path) {
        if (path != null) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // a leftover .part file is harmless: it is never read as a model file
            }
        }
    }

    /** The hub did not answer (network error, timeout, 5xx): a complete cache may stand in for it. */
    private static final class HubUnreachableException extends RuntimeException {
        HubUnreachableException(String message) {
            super(message);
        }
    }

    /** LangChain4j style: null means the default; {@link #build()} checks the values. */
    public static final class Builder {
        private String hubEndpoint;
        private Path cacheDirectory;
        private Boolean offline;
        private Boolean showProgress;
        private String hubToken;
        private Duration timeout;

        /** Base URL of the hub (default {@code $HF_ENDPOINT} or https://huggingface.co). */
        public Builder hubEndpoint(String hubEndpoint) {
            this.hubEndpoint = hubEndpoint;
            return this;
        }

        /** Default {@code $RERANK4J_CACHE} or {@code ~/.cache/rerank4j/models}. */
        public Builder cacheDirectory(Path cacheDirectory) {
            this.cacheDirectory = cacheDirectory;
            return this;
        }

        /** Use only the cache (default {@code $HF_HUB_OFFLINE}, else false). */
        public Builder offline(Boolean offline) {
            this.offline = offline;
            return this;
        }

        /** A console progress bar (default false: progress goes to SLF4J). */
        public Builder showProgress(Boolean showProgress) {
            this.showProgress = showProgress;
            return this;
        }

        /** Access token for gated repositories (default {@code $HF_TOKEN}). */
        public Builder hubToken(String hubToken) {
            this.hubToken = hubToken;
            return this;
        }

        /** Connect timeout and time to the first response byte of each request (default 60 s). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public HuggingFaceDownloader build() {
            if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
                throw new IllegalArgumentException("timeout must be positive, but is: " + timeout);
            }
            if (hubEndpoint != null && !hubEndpoint.matches("(?i)https?://[^\\s/]+\\S*")) {
                throw new IllegalArgumentException("hubEndpoint must be an http(s) URL, but is: " + hubEndpoint);
            }
            return new HuggingFaceDownloader(this);
        }
    }
}

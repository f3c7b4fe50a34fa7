package dev.rerank4j.crossencoder.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.runtime.internal.Digests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One revision's folder in the download cache, and its record ({@value #MANIFEST_FILE}) of each file's size and
 * the hash it was verified against. The record spares hashing gigabytes on every load, and tells, without the hub,
 * whether the cached model is complete (e.g. that its external-data file is there).
 */
final class DownloadCache {

    static final String MANIFEST_FILE = ".rerank4j-download.json";
    private static final Logger log = LoggerFactory.getLogger(DownloadCache.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path directory;
    private final Map<String, Entry> files;

    /** What was verified for one file: its size and the listing's SHA-256 or Git blob id. */
    record Entry(long size, String sha256, String gitOid) {
    }

    /** The manifest's JSON form. */
    record Manifest(Map<String, Entry> files) {
    }

    private DownloadCache(Path directory, Map<String, Entry> files) {
        this.directory = directory;
        this.files = files;
    }

    static DownloadCache open(Path directory) {
        Path file = directory.resolve(MANIFEST_FILE);
        if (Files.isRegularFile(file)) {
            try {
                Manifest manifest = MAPPER.readValue(file.toFile(), Manifest.class);
                if (manifest.files() != null) {
                    return new DownloadCache(directory, new TreeMap<>(manifest.files()));
                }
            } catch (IOException e) {
                log.warn("Ignoring unreadable download manifest {} (files will be hashed again): {}", file, e.toString());
            }
        }
        return new DownloadCache(directory, new TreeMap<>());
    }

    Path directory() {
        return directory;
    }

    /** The cached file matches the listing: same size and hash (recorded, or computed once when not recorded). */
    boolean isCurrent(RemoteFile remote) {
        Path local = directory.resolve(remote.path());
        if (!hasSize(local, remote.size())) {
            return false;
        }
        if (!remote.hasHash()) {
            return true; // the server lists no hash: size is all there is to check
        }
        Entry verified = files.get(remote.path());
        if (verified != null && verified.size() == remote.size() && Objects.equals(verified.sha256(), remote.sha256())
                && Objects.equals(verified.gitOid(), remote.gitOid())) {
            return true;
        }
        return remote.sha256() != null
                ? remote.sha256().equalsIgnoreCase(Digests.sha256Hex(local))
                : remote.gitOid().equalsIgnoreCase(Digests.gitBlobSha1Hex(local));
    }

    /** Records that the cached file matches the listing, at once (a later failure keeps what was verified). */
    void recordVerified(RemoteFile remote) {
        files.put(remote.path(), new Entry(remote.size(), remote.sha256(), remote.gitOid()));
        write();
    }

    /**
     * What keeps the cached model from loading with {@code onnxFile}: config.json, tokenizer.json, the model file
     * (or model.pt), the external-data files the ONNX graph references, each at its recorded size when recorded.
     */
    List<String> missingFiles(String onnxFile) {
        List<String> missing = new ArrayList<>();
        for (String required : List.of(ModelDirectory.CONFIG_FILE, ModelDirectory.TOKENIZER_FILE)) {
            if (!Files.isRegularFile(directory.resolve(required))) {
                missing.add(required);
            }
        }
        boolean onnx = files.containsKey(onnxFile) || Files.isRegularFile(directory.resolve(onnxFile))
                || !Files.isRegularFile(directory.resolve(ModelDirectory.TORCHSCRIPT_FILE));
        String model = onnx ? onnxFile : ModelDirectory.TORCHSCRIPT_FILE;
        if (!Files.isRegularFile(directory.resolve(model))) {
            missing.add(onnx ? onnxFile + " (or " + ModelDirectory.TORCHSCRIPT_FILE + ")" : model);
        }
        List<String> needed = new ArrayList<>(List.of(ModelDirectory.CONFIG_FILE, ModelDirectory.TOKENIZER_FILE, model));
        if (onnx && missing.isEmpty()) {
            // exactly the external data the graph references, whatever the files are called
            for (String data : HuggingFaceDownloader.externalDataFiles(directory.resolve(onnxFile), onnxFile)) {
                needed.add(data);
                if (!files.containsKey(data) && !Files.isRegularFile(directory.resolve(data))) {
                    missing.add(data);
                }
            }
        }
        files.forEach((file, entry) -> {
            if (needed.contains(file) && !missing.contains(file) && !hasSize(directory.resolve(file), entry.size())) {
                missing.add(file + " (" + entry.size() + " bytes expected)");
            }
        });
        return missing;
    }

    private static boolean hasSize(Path file, long size) {
        try {
            return Files.isRegularFile(file) && (size < 0 || Files.size(file) == size);
        } catch (IOException e) {
            return false;
        }
    }

    private void write() {
        try {
            Files.createDirectories(directory);
            Path temp = Files.createTempFile(directory, MANIFEST_FILE, ".part");
            try {
                MAPPER.writerWithDefaultPrettyPrinter().writeValue(temp.toFile(), new Manifest(files));
                HuggingFaceDownloader.moveIntoPlace(temp, directory.resolve(MANIFEST_FILE));
            } finally {
                HuggingFaceDownloader.deleteQuietly(temp);
            }
        } catch (IOException e) {
            // the model itself is in place; without the record the next load hashes the files again
            log.warn("Cannot write download manifest in {}: {}", directory, e.toString());
        }
    }
}

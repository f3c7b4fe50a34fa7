package dev.rerank4j.colbert.index;

import dev.rerank4j.colbert.ColbertEncoder;
import dev.rerank4j.colbert.MaxSim;
import dev.rerank4j.colbert.TokenVectors;
import dev.rerank4j.crossencoder.runtime.internal.Progress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureGreaterThanZero;

/**
 * Precomputed ColBERT document vectors in one file, read through a memory mapping.
 *
 * <p>File layout (little endian), version 1:
 * <pre>
 *   header, 64 bytes: magic "RR4JCOLB" | int version | int dim | int encoding (1 float16, 2 int8) | int 0
 *                     | long documents | long vectors | long dataEnd | long modelFingerprint | long crc32(bytes 0..55)
 *   records from byte 64 to dataEnd, one per document:
 *                     int idBytes | UTF-8 id | int vectorCount | payload
 *                     float16: count*dim halfs;  int8: count float scales, then count*dim bytes
 * </pre>
 * Appends write the records after {@code dataEnd} first and then rewrite the header, so an interrupted append
 * leaves the previous index intact (bytes past {@code dataEnd} are ignored). Opening checks the magic, version,
 * header checksum, that the file holds {@code dataEnd} bytes and that the records add up to the header's counts;
 * any mismatch is a {@link CorruptIndexException} naming the file.
 *
 * <p>Thread-safe: reads use an immutable snapshot; {@link #add} is serialised and publishes a new snapshot.
 * One mapping covers the file, so an index is limited to 2 GiB (about 8M float16 vectors of 128 dims).
 */
public final class ColbertIndex implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ColbertIndex.class);

    static final byte[] MAGIC = "RR4JCOLB".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER_BYTES = 64;
    private static final int CHECKSUMMED_BYTES = 56;
    private static final int MAX_ID_BYTES = 1 << 16;
    private static final int ADD_CHUNK = 64;

    private final Path file;
    private final int dim;
    private final VectorEncoding encoding;
    private final long modelFingerprint;
    private volatile Snapshot snapshot;
    private volatile boolean closed;

    private record Entry(long payloadOffset, int count) {
    }

    private record Snapshot(ByteBuffer buffer, Map<String, Entry> entries, long dataEnd, long vectors) {
    }

    private ColbertIndex(Path file, int dim, VectorEncoding encoding, long modelFingerprint, Snapshot snapshot) {
        this.file = file;
        this.dim = dim;
        this.encoding = encoding;
        this.modelFingerprint = modelFingerprint;
        this.snapshot = snapshot;
    }

    /** Encodes a corpus into a new float16 index file (overwriting {@code file}); progress goes to SLF4J. */
    public static ColbertIndex build(ColbertEncoder encoder, Map<String, String> idToText, Path file) {
        return build(encoder, idToText, file, VectorEncoding.FLOAT16);
    }

    /** Encodes a corpus into a new index file (overwriting {@code file}); progress goes to SLF4J. */
    public static ColbertIndex build(ColbertEncoder encoder, Map<String, String> idToText, Path file,
                                     VectorEncoding encoding) {
        return build(encoder, idToText, file, encoding, false);
    }

    /** Encodes a corpus into a new index file (overwriting {@code file}), optionally with a progress bar on stderr. */
    public static ColbertIndex build(ColbertEncoder encoder, Map<String, String> idToText, Path file,
                                     VectorEncoding encoding, boolean showProgress) {
        ensureNotNull(encoder, "encoder");
        validateDocuments(idToText);
        ColbertIndex index = create(file, encoder.dim(), encoding, encoder.modelFingerprint());
        index.add(encoder, idToText, showProgress);
        return index;
    }

    /**
     * Opens {@code file} when it exists (it must come from the same model) and encodes only the documents it lacks;
     * otherwise builds it. Lets a long build resume and a corpus grow without re-encoding.
     */
    public static ColbertIndex buildOrUpdate(ColbertEncoder encoder, Map<String, String> idToText, Path file,
                                             VectorEncoding encoding, boolean showProgress) {
        if (encoder == null || file == null || encoding == null) {
            throw new IllegalArgumentException("encoder, file and encoding cannot be null");
        }
        validateDocuments(idToText);
        if (!Files.exists(file)) {
            return build(encoder, idToText, file, encoding, showProgress);
        }
        ColbertIndex index = open(file);
        try {
            if (index.encoding() != encoding) {
                throw new IllegalArgumentException("index " + index.file() + " stores " + index.encoding()
                        + ", not the requested " + encoding);
            }
            index.add(encoder, idToText, showProgress);
            return index;
        } catch (RuntimeException e) {
            index.close();
            throw e;
        }
    }

    /** Creates an empty index file (overwriting {@code file}). */
    public static ColbertIndex create(Path file, int dim, VectorEncoding encoding, long modelFingerprint) {
        ensureNotNull(file, "file");
        ensureGreaterThanZero(dim, "dim");
        ensureNotNull(encoding, "encoding");
        Path absolute = file.toAbsolutePath();
        try {
            if (absolute.getParent() != null) {
                Files.createDirectories(absolute.getParent());
            }
            try (FileChannel channel = FileChannel.open(absolute, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(channel, header(dim, encoding, modelFingerprint, 0, 0, HEADER_BYTES), 0);
                channel.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create ColBERT index file " + absolute + ": " + e.getMessage(), e);
        }
        return new ColbertIndex(absolute, dim, encoding, modelFingerprint,
                new Snapshot(ByteBuffer.allocate(HEADER_BYTES), Map.of(), HEADER_BYTES, 0));
    }

    /** Opens an existing index file, validating its header and records. */
    public static ColbertIndex open(Path file) {
        ensureNotNull(file, "file");
        Path absolute = file.toAbsolutePath();
        if (!Files.isRegularFile(absolute)) {
            throw new IllegalArgumentException("ColBERT index file " + absolute + " does not exist");
        }
        try (FileChannel channel = FileChannel.open(absolute, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < HEADER_BYTES) {
                throw new CorruptIndexException(absolute, "truncated: " + size + " bytes, shorter than the "
                        + HEADER_BYTES + "-byte header");
            }
            ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, header, 0);
            header.flip();
            byte[] magic = new byte[MAGIC.length];
            header.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new CorruptIndexException(absolute, "not a ColBERT index (bad magic bytes)");
            }
            int version = header.getInt(8);
            if (version != VERSION) {
                throw new CorruptIndexException(absolute, "unsupported version " + version + " (this build reads "
                        + VERSION + ")");
            }
            CRC32 crc = new CRC32();
            crc.update(header.array(), 0, CHECKSUMMED_BYTES);
            if (crc.getValue() != header.getLong(56)) {
                throw new CorruptIndexException(absolute, "header checksum mismatch (damaged header)");
            }
            int dim = header.getInt(12);
            VectorEncoding encoding = VectorEncoding.fromCode(header.getInt(16));
            long documents = header.getLong(24);
            long vectors = header.getLong(32);
            long dataEnd = header.getLong(40);
            long fingerprint = header.getLong(48);
            if (dim < 1 || encoding == null || documents < 0 || vectors < 0 || dataEnd < HEADER_BYTES) {
                throw new CorruptIndexException(absolute, "invalid header values (dim " + dim + ", encoding code "
                        + header.getInt(16) + ", documents " + documents + ", dataEnd " + dataEnd + ")");
            }
            if (size < dataEnd) {
                throw new CorruptIndexException(absolute, "truncated: the header says " + dataEnd
                        + " bytes of data but the file has " + size);
            }
            if (dataEnd > Integer.MAX_VALUE) {
                throw new CorruptIndexException(absolute, "larger than 2 GiB (" + dataEnd + " bytes); not supported");
            }
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, dataEnd);
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Entry> entries = new HashMap<>();
            long found = scan(absolute, mapped, HEADER_BYTES, dataEnd, dim, encoding, entries);
            if (entries.size() != documents || found != vectors) {
                throw new CorruptIndexException(absolute, "the records hold " + entries.size() + " documents and "
                        + found + " vectors but the header says " + documents + " and " + vectors);
            }
            return new ColbertIndex(absolute, dim, encoding, fingerprint,
                    new Snapshot(mapped, Collections.unmodifiableMap(entries), dataEnd, vectors));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read ColBERT index file " + absolute + ": " + e.getMessage(), e);
        }
    }

    /** Reads the records in [from, to) into {@code entries}; returns the number of vectors. */
    private static long scan(Path file, ByteBuffer buffer, long from, long to, int dim, VectorEncoding encoding,
                             Map<String, Entry> entries) {
        long position = from;
        long vectors = 0;
        while (position < to) {
            long recordStart = position;
            if (position + Integer.BYTES > to) {
                throw truncatedRecord(file, recordStart);
            }
            int idBytes = buffer.getInt((int) position);
            if (idBytes < 1 || idBytes > MAX_ID_BYTES || position + Integer.BYTES + idBytes + Integer.BYTES > to) {
                throw truncatedRecord(file, recordStart);
            }
            byte[] idData = new byte[idBytes];
            buffer.get((int) position + Integer.BYTES, idData);
            String id = new String(idData, StandardCharsets.UTF_8);
            position += Integer.BYTES + idBytes;
            int count = buffer.getInt((int) position);
            position += Integer.BYTES;
            long payload = (long) count * encoding.bytesPerVector(dim);
            if (count < 1 || position + payload > to) {
                throw truncatedRecord(file, recordStart);
            }
            if (entries.putIfAbsent(id, new Entry(position, count)) != null) {
                throw new CorruptIndexException(file, "document id \"" + id + "\" appears twice");
            }
            position += payload;
            vectors += count;
        }
        return vectors;
    }

    private static CorruptIndexException truncatedRecord(Path file, long offset) {
        return new CorruptIndexException(file, "damaged or truncated document record at byte " + offset);
    }

    /**
     * Encodes and appends documents whose ids are not in the index yet (ids already present are skipped, so an
     * interrupted build can be resumed). Shows a progress bar. Returns the number of documents added.
     */
    public int add(ColbertEncoder encoder, Map<String, String> idToText) {
        return add(encoder, idToText, true);
    }

    /** As {@link #add(ColbertEncoder, Map)}, with or without the progress bar. */
    public synchronized int add(ColbertEncoder encoder, Map<String, String> idToText, boolean showProgress) {
        ensureNotNull(encoder, "encoder");
        validateDocuments(idToText);
        requireCompatible(encoder);
        List<Map.Entry<String, String>> todo = new ArrayList<>();
        Map<String, Entry> existing = snapshot.entries();
        for (Map.Entry<String, String> doc : idToText.entrySet()) {
            if (!existing.containsKey(doc.getKey())) {
                todo.add(doc);
            }
        }
        if (todo.isEmpty()) {
            return 0;
        }
        try (Progress progress = Progress.start("ColBERT index", todo.size(), " docs", 1, showProgress, LOG)) {
            for (int start = 0; start < todo.size(); start += ADD_CHUNK) {
                List<Map.Entry<String, String>> chunk = todo.subList(start, Math.min(todo.size(), start + ADD_CHUNK));
                List<TokenVectors> vectors = encoder.encodeDocuments(chunk.stream().map(Map.Entry::getValue).toList());
                Map<String, TokenVectors> encoded = new LinkedHashMap<>();
                for (int i = 0; i < chunk.size(); i++) {
                    encoded.put(chunk.get(i).getKey(), vectors.get(i));
                }
                addAll(encoded);
                progress.stepBy(chunk.size());
            }
        }
        return todo.size();
    }

    /** Appends precomputed vectors; an id already in the index is an error. */
    public synchronized void addAll(Map<String, TokenVectors> idToVectors) {
        ensureNotNull(idToVectors, "idToVectors");
        requireOpen();
        Snapshot current = snapshot;
        ByteArrayOutput out = new ByteArrayOutput();
        long vectors = 0;
        for (Map.Entry<String, TokenVectors> doc : idToVectors.entrySet()) {
            String id = doc.getKey();
            TokenVectors v = doc.getValue();
            if (id == null || id.isEmpty()) {
                throw new IllegalArgumentException("document id cannot be null or empty");
            }
            if (current.entries().containsKey(id)) {
                throw new IllegalArgumentException("document id \"" + id + "\" is already in index " + file);
            }
            if (v == null || v.count() < 1 || v.dim() != dim) {
                throw new IllegalArgumentException("vectors of document \"" + id + "\" must be >= 1 vectors of dim "
                        + dim + ", were " + v);
            }
            byte[] idData = id.getBytes(StandardCharsets.UTF_8);
            if (idData.length > MAX_ID_BYTES) {
                throw new IllegalArgumentException("document id longer than " + MAX_ID_BYTES + " bytes: " + id.substring(0, 40) + "...");
            }
            out.writeRecord(idData, v, dim, encoding);
            vectors += v.count();
        }
        if (idToVectors.isEmpty()) {
            return;
        }
        long newEnd = current.dataEnd() + out.size();
        if (newEnd > Integer.MAX_VALUE) {
            throw new IllegalStateException("ColBERT index file " + file + " would exceed 2 GiB; split the corpus");
        }
        long documents = current.entries().size() + idToVectors.size();
        long totalVectors = current.vectors() + vectors;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            writeFully(channel, out.toBuffer(), current.dataEnd());
            channel.force(false);
            // the header is the commit point: before this write the old counts still describe a valid file
            writeFully(channel, header(dim, encoding, modelFingerprint, documents, totalVectors, newEnd), 0);
            channel.force(false);
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, newEnd);
            mapped.order(ByteOrder.LITTLE_ENDIAN);
            Map<String, Entry> entries = new HashMap<>(current.entries());
            scan(file, mapped, current.dataEnd(), newEnd, dim, encoding, entries);
            snapshot = new Snapshot(mapped, Collections.unmodifiableMap(entries), newEnd, totalVectors);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to ColBERT index file " + file + ": " + e.getMessage(), e);
        }
    }

    public boolean contains(String id) {
        return id != null && snapshot.entries().containsKey(id);
    }

    /** The document's vectors decoded to float32, or an exception naming the id when it is absent. */
    public TokenVectors vectors(String id) {
        Snapshot s = snapshot;
        Entry entry = entryOf(s, id);
        float[] data = new float[entry.count() * dim];
        decode(s.buffer(), entry, data);
        return TokenVectors.wrap(data, dim);
    }

    /** MaxSim of a prepared query against an indexed document, decoding into a per-thread buffer. */
    public double score(MaxSim.Prepared query, String id) {
        ensureNotNull(query, "query");
        if (query.dim() != dim) {
            throw new IllegalArgumentException("query dim " + query.dim() + " does not match index dim " + dim);
        }
        Snapshot s = snapshot;
        Entry entry = entryOf(s, id);
        float[] buffer = SCRATCH.get();
        int needed = entry.count() * dim;
        if (buffer.length < needed) {
            buffer = new float[needed];
            SCRATCH.set(buffer);
        }
        decode(s.buffer(), entry, buffer);
        return query.score(buffer, entry.count());
    }

    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    private Entry entryOf(Snapshot s, String id) {
        requireOpen();
        ensureNotNull(id, "id");
        Entry entry = s.entries().get(id);
        if (entry == null) {
            throw new IllegalArgumentException("document id \"" + id + "\" is not in index " + file);
        }
        return entry;
    }

    private void decode(ByteBuffer buffer, Entry entry, float[] out) {
        int n = entry.count() * dim;
        int offset = (int) entry.payloadOffset();
        if (encoding == VectorEncoding.FLOAT16) {
            short[] halfs = new short[n];
            buffer.slice(offset, n * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(halfs);
            for (int i = 0; i < n; i++) {
                out[i] = Float16.toFloat(halfs[i]);
            }
        } else {
            float[] scales = new float[entry.count()];
            buffer.slice(offset, scales.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(scales);
            byte[] quantized = new byte[n];
            buffer.get(offset + scales.length * Float.BYTES, quantized);
            for (int v = 0; v < scales.length; v++) {
                float scale = scales[v];
                int base = v * dim;
                for (int k = 0; k < dim; k++) {
                    out[base + k] = quantized[base + k] * scale;
                }
            }
        }
    }

    /** Number of documents. */
    public int size() {
        return snapshot.entries().size();
    }

    /** Number of token vectors over all documents. */
    public long vectorCount() {
        return snapshot.vectors();
    }

    /** Ids of the indexed documents (unordered, unmodifiable). */
    public Set<String> ids() {
        return snapshot.entries().keySet();
    }

    /** Bytes of the file per document (header amortised); 0 for an empty index. */
    public double bytesPerDocument() {
        Snapshot s = snapshot;
        return s.entries().isEmpty() ? 0 : (double) s.dataEnd() / s.entries().size();
    }

    /** Size of the index data in bytes. */
    public long bytes() {
        return snapshot.dataEnd();
    }

    public int dim() {
        return dim;
    }

    public VectorEncoding encoding() {
        return encoding;
    }

    /** Fingerprint of the model that wrote the vectors (see {@link ColbertEncoder#modelFingerprint()}). */
    public long modelFingerprint() {
        return modelFingerprint;
    }

    public Path file() {
        return file;
    }

    /** Fails when vectors from this encoder would not be comparable with the indexed ones. */
    public void requireCompatible(ColbertEncoder encoder) {
        if (encoder.dim() != dim) {
            throw new IllegalArgumentException("encoder dim " + encoder.dim() + " does not match index " + file
                    + " (dim " + dim + ")");
        }
        if (modelFingerprint != 0 && encoder.modelFingerprint() != modelFingerprint) {
            throw new IllegalArgumentException("index " + file + " was built with a different ColBERT model than "
                    + encoder.modelFile() + " (model fingerprints differ: config.json, tokenizer.json or the weights)");
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("ColBERT index " + file + " is closed");
        }
    }

    /** Drops the mapping (the JVM unmaps it when collected); later calls throw. */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "ColbertIndex[" + file + ", " + size() + " docs, dim " + dim + ", " + encoding + "]";
    }

    private static void validateDocuments(Map<String, String> idToText) {
        ensureNotNull(idToText, "idToText");
        for (Map.Entry<String, String> doc : idToText.entrySet()) {
            if (doc.getKey() == null || doc.getKey().isEmpty()) {
                throw new IllegalArgumentException("idToText has a null or empty document id");
            }
            if (doc.getValue() == null) {
                throw new IllegalArgumentException("idToText has a null text for document id \"" + doc.getKey() + "\"");
            }
        }
    }

    private static ByteBuffer header(int dim, VectorEncoding encoding, long fingerprint, long documents, long vectors,
                                     long dataEnd) {
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        header.put(MAGIC).putInt(VERSION).putInt(dim).putInt(encoding.code()).putInt(0)
                .putLong(documents).putLong(vectors).putLong(dataEnd).putLong(fingerprint);
        CRC32 crc = new CRC32();
        crc.update(header.array(), 0, CHECKSUMMED_BYTES);
        header.putLong(crc.getValue());
        header.flip();
        return header;
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            position += channel.write(buffer, position);
        }
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new IOException("unexpected end of file");
            }
            position += read;
        }
    }

    /** A growable little-endian buffer for a batch of records. */
    private static final class ByteArrayOutput {
        private ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);

        void writeRecord(byte[] id, TokenVectors vectors, int dim, VectorEncoding encoding) {
            int count = vectors.count();
            ensure(2 * Integer.BYTES + id.length + count * encoding.bytesPerVector(dim));
            buffer.putInt(id.length).put(id).putInt(count);
            float[] data = vectors.toFlatArray();
            if (encoding == VectorEncoding.FLOAT16) {
                for (float value : data) {
                    buffer.putShort(Float16.fromFloat(value));
                }
            } else {
                float[] scales = new float[count];
                for (int v = 0; v < count; v++) {
                    float max = 0;
                    for (int k = 0; k < dim; k++) {
                        max = Math.max(max, Math.abs(data[v * dim + k]));
                    }
                    scales[v] = max / 127f;
                    buffer.putFloat(scales[v]);
                }
                for (int v = 0; v < count; v++) {
                    float inv = scales[v] > 0 ? 1f / scales[v] : 0f;
                    for (int k = 0; k < dim; k++) {
                        buffer.put((byte) Math.round(data[v * dim + k] * inv));
                    }
                }
            }
        }

        private void ensure(int more) {
            if (buffer.remaining() < more) {
                ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + more))
                        .order(ByteOrder.LITTLE_ENDIAN);
                buffer.flip();
                bigger.put(buffer);
                buffer = bigger;
            }
        }

        int size() {
            return buffer.position();
        }

        ByteBuffer toBuffer() {
            ByteBuffer copy = buffer.duplicate();
            copy.flip();
            return copy;
        }
    }
}

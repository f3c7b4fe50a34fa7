package dev.rerank4j.examples.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.DocumentParser;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.document.loader.FileSystemDocumentLoader;
import dev.langchain4j.data.document.parser.TextDocumentParser;
import dev.langchain4j.data.document.parser.apache.pdfbox.ApachePdfBoxDocumentParser;
import org.jsoup.Jsoup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Turns a folder of documents (txt, md, html, pdf), a BEIR corpus ({@code corpus.jsonl}) or the built-in corpus
 * into passages: one {@link Document} per paragraph-sized chunk, with metadata {@code id} (stable: document id +
 * chunk number), {@code title} and {@code doc}.
 */
public final class CorpusLoader {

    public static final String META_ID = "id";
    public static final String META_TITLE = "title";
    public static final String META_DOC = "doc";
    /** Passages longer than this are cut at sentence ends; the cross-encoder window is ~256 word pieces. */
    static final int MAX_PASSAGE_CHARS = 900;
    /** Shorter paragraphs are merged with the next one, so a passage carries enough context. */
    static final int MIN_PASSAGE_CHARS = 200;
    static final Set<String> EXTENSIONS = Set.of("txt", "md", "markdown", "html", "htm", "pdf");
    private static final String BUILT_IN = "corpus/";
    private static final ObjectMapper JSON = new ObjectMapper();

    private CorpusLoader() {
    }

    /** What was loaded, and what was skipped (with reasons) so the bot can say so. */
    public record Corpus(String name, List<Document> passages, int documents, List<String> skipped) {
        public Corpus {
            passages = List.copyOf(passages);
            skipped = List.copyOf(skipped);
        }
    }

    /** The small corpus that ships with the module (the project's own texts), so the bot runs offline. */
    public static Corpus builtIn() {
        List<Document> passages = new ArrayList<>();
        List<String> names = readLines(resource(BUILT_IN + "index.txt"));
        for (String name : names) {
            String text = String.join("\n", readLines(resource(BUILT_IN + name)));
            String id = name.replaceFirst("\\.md$", "");
            passages.addAll(split(id, titleOf(text, id), text));
        }
        return new Corpus("built-in rerank4j docs", passages, names.size(), List.of());
    }

    /**
     * A BEIR folder (holding {@code corpus.jsonl}), a {@code .jsonl} file, or a folder of documents.
     *
     * @throws IllegalArgumentException naming the path when it does not exist or holds nothing readable
     */
    public static Corpus load(Path path) {
        if (path == null) {
            throw new IllegalArgumentException("corpus path cannot be null");
        }
        if (!Files.exists(path)) {
            throw new IllegalArgumentException("corpus folder not found: " + path.toAbsolutePath());
        }
        if (Files.isRegularFile(path) && path.toString().endsWith(".jsonl")) {
            return beir(path);
        }
        if (Files.isDirectory(path) && Files.isRegularFile(path.resolve("corpus.jsonl"))) {
            return beir(path.resolve("corpus.jsonl"));
        }
        if (!Files.isDirectory(path)) {
            throw new IllegalArgumentException("corpus must be a folder or a BEIR corpus.jsonl: " + path.toAbsolutePath());
        }
        return folder(path);
    }

    private static Corpus folder(Path root) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read corpus folder " + root, e);
        }
        List<Document> passages = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int documents = 0;
        for (Path file : files) {
            String ext = extension(file);
            String id = root.relativize(file).toString().replace('\\', '/');
            if (!EXTENSIONS.contains(ext)) {
                skipped.add(id + " (unsupported type ." + ext + ")");
                continue;
            }
            try {
                Document doc = FileSystemDocumentLoader.loadDocument(file, parserFor(ext));
                String text = doc.text();
                String title = fileTitle(file);
                if (ext.startsWith("htm")) {
                    org.jsoup.nodes.Document html = Jsoup.parse(text);
                    title = html.title().isBlank() ? title : html.title().strip();
                    html.select("p, h1, h2, h3, h4, h5, h6, li, div, br, tr").append("\n\n");
                    text = html.wholeText();
                } else if (ext.startsWith("m")) {
                    title = titleOf(text, title);
                }
                List<Document> chunks = split(id, title, text);
                if (chunks.isEmpty()) {
                    skipped.add(id + " (no text)");
                    continue;
                }
                passages.addAll(chunks);
                documents++;
            } catch (RuntimeException e) {
                // One broken file (e.g. an encrypted PDF) must not stop the whole ingestion.
                skipped.add(id + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
            }
        }
        if (passages.isEmpty()) {
            throw new IllegalArgumentException("no readable documents (" + String.join(", ", EXTENSIONS.stream().sorted().toList())
                    + ") in corpus folder " + root.toAbsolutePath());
        }
        return new Corpus(root.toString(), passages, documents, skipped);
    }

    private static DocumentParser parserFor(String ext) {
        return "pdf".equals(ext) ? new ApachePdfBoxDocumentParser() : new TextDocumentParser();
    }

    /** BEIR: one JSON document a line; passage text = title + " " + text, one passage per document. */
    private static Corpus beir(Path jsonl) {
        List<Document> passages = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(jsonl, StandardCharsets.UTF_8)) {
            String line;
            int lineNo = 0;
            while ((line = reader.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    skipped.add(jsonl.getFileName() + ":" + lineNo + " (not JSON)");
                    continue;
                }
                String id = node.path("_id").asText("");
                String title = node.path("title").asText("").strip();
                String text = node.path("text").asText("").strip();
                if (id.isEmpty() || (title.isEmpty() && text.isEmpty())) {
                    skipped.add(jsonl.getFileName() + ":" + lineNo + " (no _id or no text)");
                    continue;
                }
                String passage = title.isEmpty() ? text : title + " " + text;
                passages.add(Document.from(passage, metadata(id, title.isEmpty() ? id : title, id)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read BEIR corpus " + jsonl, e);
        }
        if (passages.isEmpty()) {
            throw new IllegalArgumentException("BEIR corpus has no documents: " + jsonl.toAbsolutePath());
        }
        return new Corpus(jsonl.toString(), passages, passages.size(), skipped);
    }

    /** Paragraphs, merged while short and cut at sentence ends while long, numbered per document. */
    static List<Document> split(String docId, String title, String text) {
        List<String> chunks = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String paragraph : text.split("\\n\\s*\\n")) {
            String p = paragraph.strip().replaceAll("\\s+", " ");
            if (p.isEmpty() || p.startsWith("#") && p.length() < 120) {
                continue; // headings are carried by the title
            }
            for (String piece : cut(p)) {
                if (current.length() > 0 && current.length() + piece.length() + 1 > MAX_PASSAGE_CHARS) {
                    chunks.add(current.toString());
                    current.setLength(0);
                }
                if (current.length() > 0) {
                    current.append(' ');
                }
                current.append(piece);
                if (current.length() >= MIN_PASSAGE_CHARS) {
                    chunks.add(current.toString());
                    current.setLength(0);
                }
            }
        }
        if (current.length() > 0) {
            chunks.add(current.toString());
        }
        List<Document> docs = new ArrayList<>(chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            docs.add(Document.from(chunks.get(i), metadata(docId + "#" + (i + 1), title, docId)));
        }
        return docs;
    }

    private static List<String> cut(String paragraph) {
        if (paragraph.length() <= MAX_PASSAGE_CHARS) {
            return List.of(paragraph);
        }
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        for (String sentence : Sentences.split(paragraph)) {
            if (piece.length() > 0 && piece.length() + sentence.length() + 1 > MAX_PASSAGE_CHARS) {
                pieces.add(piece.toString());
                piece.setLength(0);
            }
            if (piece.length() > 0) {
                piece.append(' ');
            }
            piece.append(sentence.length() > MAX_PASSAGE_CHARS ? sentence.substring(0, MAX_PASSAGE_CHARS) : sentence);
        }
        if (piece.length() > 0) {
            pieces.add(piece.toString());
        }
        return pieces;
    }

    private static Metadata metadata(String id, String title, String doc) {
        return Metadata.from(META_ID, id).put(META_TITLE, title).put(META_DOC, doc);
    }

    private static String titleOf(String markdown, String fallback) {
        for (String line : markdown.split("\\R")) {
            if (line.startsWith("# ")) {
                return line.substring(2).strip();
            }
        }
        return fallback;
    }

    private static String fileTitle(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 ? name.substring(0, dot) : name;
    }

    private static String extension(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    private static InputStream resource(String name) {
        InputStream in = CorpusLoader.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException("built-in corpus resource is missing: " + name);
        }
        return in;
    }

    private static List<String> readLines(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

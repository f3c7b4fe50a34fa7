package dev.rerank4j.examples.chat;

import dev.langchain4j.data.document.Document;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CorpusLoaderTest {

    @TempDir
    Path dir;

    @Test
    void loads_txt_markdown_html_and_pdf_and_skips_other_files_with_a_reason() throws IOException {
        Files.writeString(dir.resolve("notes.txt"), "Plain text about rerankers and their latency budgets.");
        Files.createDirectories(dir.resolve("guide"));
        Files.writeString(dir.resolve("guide/intro.md"), "# Intro Guide\n\nMarkdown paragraph about ColBERT indexes.");
        Files.writeString(dir.resolve("page.html"), "<html><head><title>Web Page</title><script>var x = 1;</script></head>"
                + "<body><h1>Heading</h1><p>HTML paragraph about cross-encoders.</p></body></html>");
        writePdf(dir.resolve("paper.pdf"), "PDF text about dense retrieval.");
        Files.writeString(dir.resolve("data.csv"), "a,b");

        CorpusLoader.Corpus corpus = CorpusLoader.load(dir);

        assertThat(corpus.documents()).isEqualTo(4);
        assertThat(corpus.skipped()).singleElement().asString().contains("data.csv").contains(".csv");
        assertThat(text(corpus, "notes.txt#1")).contains("Plain text about rerankers");
        assertThat(title(corpus, "guide/intro.md#1")).isEqualTo("Intro Guide");
        assertThat(text(corpus, "guide/intro.md#1")).isEqualTo("Markdown paragraph about ColBERT indexes.");
        assertThat(title(corpus, "page.html#1")).isEqualTo("Web Page");
        assertThat(corpus.passages().stream().filter(d -> id(d).startsWith("page.html")).map(Document::text).toList())
                .anySatisfy(t -> assertThat(t).contains("HTML paragraph about cross-encoders."))
                .noneSatisfy(t -> assertThat(t).contains("<p>").contains("var x"));
        assertThat(text(corpus, "paper.pdf#1")).contains("PDF text about dense retrieval.");
    }

    @Test
    void loads_a_beir_corpus_with_title_and_text_as_one_passage() throws IOException {
        Files.writeString(dir.resolve("corpus.jsonl"), """
                {"_id": "d1", "title": "Aspirin", "text": "Aspirin lowers fever."}
                {"_id": "d2", "title": "", "text": "No title here."}
                not json
                """);

        CorpusLoader.Corpus corpus = CorpusLoader.load(dir);

        assertThat(corpus.passages()).extracting(Document::text).containsExactly("Aspirin Aspirin lowers fever.", "No title here.");
        assertThat(corpus.passages()).extracting(CorpusLoaderTest::id).containsExactly("d1", "d2");
        assertThat(corpus.skipped()).singleElement().asString().contains("corpus.jsonl:3");
    }

    @Test
    void a_missing_or_empty_folder_is_an_error_that_names_it() throws IOException {
        Path missing = dir.resolve("absent");
        assertThatThrownBy(() -> CorpusLoader.load(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(missing.toAbsolutePath().toString());
        Files.writeString(dir.resolve("image.png"), "not an image");
        assertThatThrownBy(() -> CorpusLoader.load(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no readable documents").hasMessageContaining(dir.toAbsolutePath().toString());
    }

    @Test
    void long_paragraphs_are_cut_at_sentence_ends_and_short_ones_merged() {
        String sentence = "This sentence is about reranking passages for a question. ";
        String text = "short one.\n\nshort two.\n\n" + sentence.repeat(40);
        List<Document> passages = CorpusLoader.split("doc", "Doc", text);

        assertThat(passages.get(0).text()).startsWith("short one. short two.");
        assertThat(passages).allSatisfy(p -> assertThat(p.text().length()).isLessThanOrEqualTo(CorpusLoader.MAX_PASSAGE_CHARS));
        assertThat(passages).allSatisfy(p -> assertThat(p.text()).endsWith("."));
        assertThat(String.join(" ", passages.stream().map(Document::text).toList()).split("This sentence", -1)).hasSize(41);
    }

    @Test
    void the_built_in_corpus_has_unique_passage_ids_and_enough_passages_for_the_cascade() {
        CorpusLoader.Corpus corpus = CorpusLoader.builtIn();
        assertThat(corpus.passages().size()).isGreaterThan(30);
        assertThat(new HashSet<>(corpus.passages().stream().map(CorpusLoaderTest::id).toList())).hasSize(corpus.passages().size());
    }

    private static String id(Document d) {
        return d.metadata().getString(CorpusLoader.META_ID);
    }

    private static Document doc(CorpusLoader.Corpus corpus, String id) {
        return corpus.passages().stream().filter(d -> id.equals(id(d))).findFirst()
                .orElseThrow(() -> new AssertionError("no passage " + id + " in " + corpus.passages()));
    }

    private static String text(CorpusLoader.Corpus corpus, String id) {
        return doc(corpus, id).text();
    }

    private static String title(CorpusLoader.Corpus corpus, String id) {
        return doc(corpus, id).metadata().getString(CorpusLoader.META_TITLE);
    }

    private static void writePdf(Path file, String text) throws IOException {
        try (PDDocument pdf = new PDDocument()) {
            PDPage page = new PDPage();
            pdf.addPage(page);
            try (PDPageContentStream content = new PDPageContentStream(pdf, page)) {
                content.beginText();
                content.setFont(new PDType1Font(org.apache.pdfbox.pdmodel.font.Standard14Fonts.FontName.HELVETICA), 12);
                content.newLineAtOffset(72, 700);
                content.showText(text);
                content.endText();
            }
            pdf.save(file.toFile());
        }
    }
}

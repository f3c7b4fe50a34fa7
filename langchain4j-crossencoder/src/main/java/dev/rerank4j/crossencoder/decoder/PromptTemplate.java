package dev.rerank4j.crossencoder.decoder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rerank4j.crossencoder.model.ModelDirectory;
import dev.rerank4j.crossencoder.model.ModelLoadException;
import dev.rerank4j.crossencoder.runtime.internal.Digests;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;

/**
 * The prompt a decoder-LLM reranker (Qwen3-Reranker, mxbai-rerank-v2, their seq-cls conversions) reads, as data: a
 * JSON file per family, overridable by the caller or by a {@value #MODEL_FILE} in the model directory.
 *
 * <p>A template is a list of segments, each tokenised on its own and concatenated, exactly as the families' own
 * code does (Qwen3-Reranker tokenises prefix, body and suffix separately; mxbai-rerank-v2 tokenises the query part,
 * the separators and the document part separately). Placeholders: {@code {query}}, {@code {document}} and
 * {@code {instruction}}; the caller's text is inserted verbatim (never re-read as a placeholder). Rules, checked
 * when a template is read:
 * <ul>
 *   <li>{@code {document}} appears once, at the end of its segment: an over-long pair is cut from the end of that
 *   segment, so the document is cut and the template around it never is;</li>
 *   <li>{@code {query}} appears once;</li>
 *   <li>a segment may carry {@code text_with_instruction}, used instead of {@code text} when an instruction is in
 *   effect (mxbai-rerank-v2 adds an {@code instruction:} line only then), and {@code max_share}, the share of the
 *   tokens left by the fixed segments that segment may take (mxbai-rerank-v2 gives the query at most 3/4);</li>
 *   <li>{@code answer_tokens.positive/negative} are the two tokens whose last-position logits make the score
 *   (logit(positive) - logit(negative)); their ids are looked up in the model's tokenizer at load time;</li>
 *   <li>{@code default_instruction} is used when the caller gives none (null: no instruction);
 *   {@code max_length} is the family's default number of tokens per pair.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class PromptTemplate {

    /** A template file in the model directory overrides the built-in one for its {@code model_type}. */
    public static final String MODEL_FILE = ModelDirectory.PROMPT_TEMPLATE_FILE;
    public static final String QUERY = "{query}";
    public static final String DOCUMENT = "{document}";
    public static final String INSTRUCTION = "{instruction}";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String RESOURCES = "/dev/rerank4j/crossencoder/decoder/templates/";
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{(query|document|instruction)}");

    private final String name;
    private final String origin;
    private final String positiveAnswer;
    private final String negativeAnswer;
    private final String defaultInstruction;
    private final int maxLength;
    private final List<Segment> segments;

    /**
     * One piece of the prompt, tokenised on its own.
     *
     * @param text                the segment, with placeholders
     * @param textWithInstruction the segment when an instruction is in effect, or null to always use {@code text}
     * @param maxShare            share (0, 1] of the tokens left by the fixed segments this one may take, or 1
     */
    public record Segment(String text, String textWithInstruction, double maxShare) {

        /** The text to render for this instruction (null or empty: none in effect). */
        public String textFor(String instruction) {
            return textWithInstruction != null && instruction != null && !instruction.isEmpty()
                    ? textWithInstruction : text;
        }

        public boolean hasDocument(String instruction) {
            return textFor(instruction).contains(DOCUMENT);
        }

        /** True when the segment has no placeholder: its tokens are the same for every pair. */
        public boolean fixed() {
            return !PLACEHOLDER.matcher(text).find()
                    && (textWithInstruction == null || !PLACEHOLDER.matcher(textWithInstruction).find());
        }
    }

    private PromptTemplate(String name, String origin, String positiveAnswer, String negativeAnswer,
                           String defaultInstruction, int maxLength, List<Segment> segments) {
        this.name = name;
        this.origin = origin;
        this.positiveAnswer = positiveAnswer;
        this.negativeAnswer = negativeAnswer;
        this.defaultInstruction = defaultInstruction;
        this.maxLength = maxLength;
        this.segments = List.copyOf(segments);
    }

    /** A template shipped with the library: {@code qwen3-reranker} or {@code mxbai-rerank-v2}. */
    public static PromptTemplate builtIn(String name) {
        if (name == null || !name.matches("[a-z0-9.-]+")) {
            throw new IllegalArgumentException("template name must be one of " + builtInNames() + ", was " + name);
        }
        try (InputStream in = PromptTemplate.class.getResourceAsStream(RESOURCES + name + ".json")) {
            if (in == null) {
                throw new IllegalArgumentException("No built-in prompt template '" + name + "'; built-in: "
                        + builtInNames() + " (or give a file with PromptTemplate.fromFile)");
            }
            return parse(MAPPER.readTree(in), "built-in template " + name);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read built-in template " + name, e);
        }
    }

    public static List<String> builtInNames() {
        return List.of("qwen3-reranker", "mxbai-rerank-v2");
    }

    /** The built-in template the rerankers of a config.json {@code model_type} use (qwen3, qwen2), if any. */
    public static Optional<PromptTemplate> forModelType(String modelType) {
        try (InputStream in = PromptTemplate.class.getResourceAsStream(RESOURCES + "by-model-type.json")) {
            JsonNode index = MAPPER.readTree(in);
            JsonNode name = modelType == null ? null : index.get(modelType);
            return name == null || !name.isTextual() ? Optional.empty() : Optional.of(builtIn(name.asText()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the built-in template index", e);
        }
    }

    /**
     * The template a model directory calls for: its own {@value #MODEL_FILE}, else the built-in template of its
     * config.json {@code model_type}.
     *
     * @throws ModelLoadException when the directory's file is malformed or there is neither
     */
    public static PromptTemplate forModel(ModelDirectory directory) {
        Path own = directory.root().resolve(MODEL_FILE);
        if (Files.isRegularFile(own)) {
            try {
                return fromFile(own);
            } catch (IllegalArgumentException e) {
                throw new ModelLoadException(e.getMessage(), e);
            }
        }
        String type = directory.config().modelType().map(t -> t.toLowerCase(java.util.Locale.ROOT)).orElse("");
        return forModelType(type).orElseThrow(() -> new ModelLoadException("Decoder model " + directory.root()
                + " (model_type '" + type + "') has no " + MODEL_FILE + " and there is no built-in prompt template "
                + "for its model_type; give one with promptTemplate(...) (built-in: " + builtInNames() + ")"));
    }

    /** Reads a template file; a malformed file is an {@link IllegalArgumentException} naming the file and field. */
    public static PromptTemplate fromFile(Path file) {
        ensureNotNull(file, "template file");
        try {
            return parse(MAPPER.readTree(Files.readString(file)), file.toAbsolutePath().toString());
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read prompt template " + file.toAbsolutePath() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Parses a template from its JSON text; {@code origin} names it in error messages. */
    public static PromptTemplate fromJson(String json, String origin) {
        try {
            return parse(MAPPER.readTree(json), origin);
        } catch (IOException e) {
            throw new IllegalArgumentException("Prompt template " + origin + " is not JSON: " + e.getMessage(), e);
        }
    }

    private static PromptTemplate parse(JsonNode root, String origin) {
        if (root == null || !root.isObject()) {
            throw invalid(origin, "the file must hold a JSON object");
        }
        JsonNode answers = root.path("answer_tokens");
        String positive = requiredText(answers, "positive", origin, "answer_tokens.positive");
        String negative = requiredText(answers, "negative", origin, "answer_tokens.negative");
        JsonNode instructionNode = root.get("default_instruction");
        String defaultInstruction = instructionNode == null || instructionNode.isNull() ? null
                : requiredText(root, "default_instruction", origin, "default_instruction");
        JsonNode maxLengthNode = root.get("max_length");
        if (maxLengthNode == null || !maxLengthNode.canConvertToInt() || maxLengthNode.asInt() < 8) {
            throw invalid(origin, "max_length must be an integer >= 8 (the family's default tokens per pair)");
        }
        JsonNode segmentsNode = root.get("segments");
        if (segmentsNode == null || !segmentsNode.isArray() || segmentsNode.isEmpty()) {
            throw invalid(origin, "segments must be a non-empty array of {\"text\": ...}");
        }
        List<Segment> segments = new ArrayList<>();
        Iterator<JsonNode> it = segmentsNode.elements();
        for (int i = 0; it.hasNext(); i++) {
            JsonNode node = it.next();
            String where = "segments[" + i + "]";
            String text = requiredText(node, "text", origin, where + ".text");
            JsonNode withNode = node.get("text_with_instruction");
            String with = withNode == null || withNode.isNull() ? null
                    : requiredText(node, "text_with_instruction", origin, where + ".text_with_instruction");
            double share = node.has("max_share") ? node.get("max_share").asDouble(Double.NaN) : 1.0;
            if (!(share > 0 && share <= 1)) {
                throw invalid(origin, where + ".max_share must be in (0, 1]");
            }
            segments.add(new Segment(text, with, share));
        }
        String name = root.path("name").asText(origin);
        PromptTemplate template = new PromptTemplate(name, origin, positive, negative, defaultInstruction,
                maxLengthNode.asInt(), segments);
        template.validate();
        return template;
    }

    private void validate() {
        for (boolean withInstruction : new boolean[] {false, true}) {
            String instruction = withInstruction ? "x" : null;
            int queries = 0;
            int documents = 0;
            for (int i = 0; i < segments.size(); i++) {
                String text = segments.get(i).textFor(instruction);
                queries += count(text, QUERY);
                int docs = count(text, DOCUMENT);
                documents += docs;
                if (docs == 1 && !text.endsWith(DOCUMENT)) {
                    throw invalid(origin, "segments[" + i + "]: " + DOCUMENT + " must end its segment, so that "
                            + "truncation cuts the document and never the template after it");
                }
                if (docs == 1 && segments.get(i).maxShare() < 1) {
                    throw invalid(origin, "segments[" + i + "]: the document's segment cannot have max_share");
                }
                if (text.contains(INSTRUCTION) && !withInstruction && defaultInstruction == null) {
                    throw invalid(origin, "segments[" + i + "] uses " + INSTRUCTION + " but there is no "
                            + "default_instruction (use text_with_instruction for an optional instruction)");
                }
            }
            if (queries != 1 || documents != 1) {
                throw invalid(origin, QUERY + " and " + DOCUMENT + " must each appear exactly once (found "
                        + queries + " and " + documents + (withInstruction ? ", with an instruction)" : ")"));
            }
        }
    }

    private static int count(String text, String placeholder) {
        int n = 0;
        for (int at = text.indexOf(placeholder); at >= 0; at = text.indexOf(placeholder, at + 1)) {
            n++;
        }
        return n;
    }

    private static String requiredText(JsonNode node, String field, String origin, String path) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw invalid(origin, path + " must be a string");
        }
        return value.asText();
    }

    private static IllegalArgumentException invalid(String origin, String problem) {
        return new IllegalArgumentException("Prompt template " + origin + ": " + problem);
    }

    /**
     * A segment's text with the placeholders replaced in one pass (the caller's text is never re-read), for the
     * instruction in effect ({@link #effectiveInstruction(String)}).
     */
    public static String render(Segment segment, String query, String document, String instruction) {
        Matcher m = PLACEHOLDER.matcher(segment.textFor(instruction));
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = switch (m.group(1)) {
                case "query" -> query;
                case "document" -> document;
                default -> instruction == null ? "" : instruction;
            };
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** The caller's instruction if given (even empty), else the template's default (may be null). */
    public String effectiveInstruction(String instruction) {
        return instruction != null ? instruction : defaultInstruction;
    }

    public String name() {
        return name;
    }

    /** Where the template was read from (a file path or "built-in template NAME"). */
    public String origin() {
        return origin;
    }

    public String positiveAnswer() {
        return positiveAnswer;
    }

    public String negativeAnswer() {
        return negativeAnswer;
    }

    public Optional<String> defaultInstruction() {
        return Optional.ofNullable(defaultInstruction);
    }

    /** The family's default tokens per pair (the model card's max_length). */
    public int maxLength() {
        return maxLength;
    }

    public List<Segment> segments() {
        return segments;
    }

    /** SHA-256 of everything that shapes the prompt and the score (not the name or origin), for cache keys. */
    public String fingerprint() {
        StringBuilder canonical = new StringBuilder();
        for (Object part : new Object[] {positiveAnswer, negativeAnswer, defaultInstruction, maxLength}) {
            String text = String.valueOf(part);
            canonical.append(text.length()).append(':').append(text);
        }
        for (Segment segment : segments) {
            String with = String.valueOf(segment.textWithInstruction());
            canonical.append(segment.text().length()).append(':').append(segment.text())
                    .append(with.length()).append(':').append(with).append(segment.maxShare());
        }
        java.security.MessageDigest digest = Digests.sha256();
        digest.update(canonical.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Digests.hex(digest);
    }

    @Override
    public String toString() {
        return name + " (" + origin + ")";
    }
}

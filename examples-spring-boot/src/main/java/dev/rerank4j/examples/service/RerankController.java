package dev.rerank4j.examples.service;

import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.model.scoring.ScoringModel;
import dev.langchain4j.rag.content.Content;
import dev.langchain4j.rag.content.ContentMetadata;
import dev.rerank4j.crossencoder.rag.CascadeContentAggregator;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;

/** JSON in, JSON out; every bean it uses is auto-configured by the starter. */
@RestController
public class RerankController {

    private final CascadeContentAggregator cascade;
    private final ScoringModel scoringModel;

    public RerankController(CascadeContentAggregator cascade, ScoringModel scoringModel) {
        this.cascade = cascade;
        this.scoringModel = scoringModel;
    }

    /** A query and its first-stage passages, best first. */
    public record RerankRequest(String query, List<String> passages) {
    }

    /** One result: the passage, its first-stage rank (0-based) and its rerank score (null when not reranked). */
    public record Ranked(String text, int firstStageRank, Double score) {
    }

    @PostMapping("/rerank")
    public List<Ranked> rerank(@RequestBody RerankRequest request) {
        List<String> passages = validPassages(request);
        List<Content> firstStage = passages.stream().map(Content::from).toList();
        return cascade.rerank(request.query(), firstStage).stream()
                .map(content -> new Ranked(content.textSegment().text(), passages.indexOf(content.textSegment().text()),
                        (Double) content.metadata().get(ContentMetadata.RERANKED_SCORE)))
                .toList();
    }

    @PostMapping("/score")
    public List<Double> score(@RequestBody RerankRequest request) {
        List<TextSegment> segments = validPassages(request).stream().map(TextSegment::from).toList();
        return scoringModel.scoreAll(segments, request.query()).content();
    }

    private static List<String> validPassages(RerankRequest request) {
        if (request == null || request.query() == null) {
            throw new IllegalArgumentException("query is required");
        }
        if (request.passages() == null || request.passages().contains(null)) {
            throw new IllegalArgumentException("passages must be a list of strings");
        }
        return request.passages();
    }

    @ExceptionHandler(IllegalArgumentException.class)
    @ResponseStatus(HttpStatus.BAD_REQUEST)
    public Map<String, String> badRequest(IllegalArgumentException e) {
        return Map.of("error", e.getMessage());
    }
}

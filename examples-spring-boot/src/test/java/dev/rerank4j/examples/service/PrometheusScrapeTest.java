package dev.rerank4j.examples.service;

import dev.langchain4j.model.scoring.ScoringModel;
import dev.rerank4j.crossencoder.testing.TestModels;
import dev.rerank4j.testkit.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The example service on a random port with the real tiny model and a real Redis: after a few requests its
 * Prometheus endpoint exposes every meter that docs/metrics.md lists, with the documented names.
 */
@AutoConfigureObservability(tracing = false)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "rerank4j.cache.redis.enabled=true", "rerank4j.cascade.latency-budget=", "rerank4j.scoring-model.max-length=64",
        "rerank4j.metrics.model-name=tiny-ce"})
class PrometheusScrapeTest {

    private static RedisServerProcess redis;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        redis = RedisServerProcess.startOrSkip();
        registry.add("rerank4j.scoring-model.model-directory", () -> TestModels.resourceModel("tiny-ce").toString());
        registry.add("rerank4j.cache.redis.uri", redis::uri);
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @LocalServerPort
    int port;
    @Autowired
    ScoringModel scoringModel;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/actuator/prometheus")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    /** The Prometheus names in the second column of docs/metrics.md's meter table. */
    static List<String> documentedSeries() throws IOException {
        Path doc = Path.of("..", "docs", "metrics.md");
        List<String> names = new ArrayList<>();
        Pattern row = Pattern.compile("^\\| `[^`]+` \\| `([^`]+)` \\|");
        for (String line : Files.readAllLines(doc)) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    @Test
    void the_prometheus_endpoint_exposes_every_documented_meter() throws Exception {
        String passages = IntStream.range(0, 12).mapToObj(i -> "\"passage " + i + " about topic " + (i % 4) + "\"")
                .collect(Collectors.joining(",", "[", "]"));
        String body = "{\"query\":\"which passage is about topic 2?\",\"passages\":" + passages + "}";
        HttpResponse<String> first = post("/rerank", body);
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.body()).contains("\"firstStageRank\"").contains("\"score\"");
        assertThat(post("/rerank", body).statusCode()).as("again: from the cache").isEqualTo(200);
        assertThat(post("/score", "{\"query\":\"q\",\"passages\":[\"" + "word ".repeat(200) + "\"]}").statusCode())
                .isEqualTo(200);
        assertThat(post("/score", "{\"passages\":[\"x\"]}").statusCode()).isEqualTo(400);
        assertThatThrownBy(() -> scoringModel.scoreAll(null, "q")).isInstanceOf(IllegalArgumentException.class);

        String metrics = scrape();
        Files.writeString(Path.of("target", "prometheus-scrape.txt"), metrics); // to read when a name changes
        List<String> documented = documentedSeries();
        assertThat(documented).as("the table in docs/metrics.md").hasSizeGreaterThan(20);
        for (String series : documented) {
            assertThat(metrics).as("scrape has " + series).containsPattern("(?m)^" + Pattern.quote(series) + "[{ ]");
        }
        assertThat(metrics).containsPattern("(?m)^rerank4j_scoring_pairs_total\\{.*result=\"cached\".*\\} 12\\.0");
        assertThat(metrics).containsPattern("(?m)^rerank4j_scoring_truncated_pairs_total\\{.*\\} 1\\.0");
        assertThat(metrics).containsPattern(
                "(?m)^rerank4j_scoring_errors_total\\{.*error_type=\"IllegalArgumentException\".*\\} 1\\.0");
        assertThat(metrics).containsPattern("(?m)^gen_ai_client_operation_duration_seconds_count\\{.*"
                + "gen_ai_operation_name=\"rerank\".*gen_ai_request_model=\"tiny-ce\".*\\} 3");
        assertThat(metrics).containsPattern("(?m)^rerank4j_cache_l2_writes_total(\\{.*\\})? 13\\.0");
    }
}

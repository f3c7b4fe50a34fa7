package dev.rerank4j.examples.chat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README command on the packaged jar: {@code printf 'what is a cross-encoder?\n/quit\n' | java -jar
 * examples/target/rerank4j-chat.jar}, run from the repository root with a fresh home folder and no chat model.
 */
class ChatJarIT {

    @TempDir
    Path home;

    @Test
    void the_readme_command_answers_in_retrieval_only_mode_from_a_fresh_home() throws IOException, InterruptedException {
        Path jar = Path.of("target/rerank4j-chat.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase").exists();
        Path repoRoot = Path.of("").toAbsolutePath().getParent();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        ProcessBuilder builder = new ProcessBuilder(java, "-Duser.home=" + home, "-jar", jar.toString())
                .directory(repoRoot.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("out.txt").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("OPENAI_") || key.startsWith("OLLAMA_") || key.equals("DJL_CACHE_DIR")
                || key.equals("XDG_CACHE_HOME"));
        env.put("HOME", home.toString());
        env.put("HF_HUB_OFFLINE", "1");
        Process process = builder.start();
        try (OutputStream stdin = process.getOutputStream()) {
            stdin.write("what is a cross-encoder?\n/quit\n".getBytes(StandardCharsets.UTF_8));
        }
        boolean finished = process.waitFor(180, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String out = Files.readString(home.resolve("out.txt"));

        assertThat(finished).as("finished within 180 s; output:%n%s", out).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        assertThat(out).contains("No chat model is configured").containsPattern("(?m)^ 8\\. \\S+#\\d+ ")
                .contains("best sentence: ").contains("Bye.");
        assertThat(home.resolve(".cache/rerank4j-chat")).as("the store is persisted under the user's cache").isDirectory();
    }
}

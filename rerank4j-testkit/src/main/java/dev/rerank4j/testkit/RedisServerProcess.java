package dev.rerank4j.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code redis-server} (Debian's package) in the foreground on a free loopback port, with persistence off
 * and its files in a temporary folder: what the Redis tests, the soak and the fleet simulation run against.
 * {@link #kill()} ends it abruptly (SIGKILL, like a crash) and {@link #restart()} brings it back on the same port,
 * empty. {@link #close()} stops it and deletes the folder; a shutdown hook stops it if the JVM exits first.
 */
public final class RedisServerProcess implements AutoCloseable {

    /** Environment variable naming the redis-server binary (default: found on PATH). */
    public static final String BINARY_ENV = "RERANK4J_REDIS_SERVER";
    /** Environment variable that makes a missing redis-server a test failure instead of a skip (CI sets it). */
    public static final String REQUIRED_ENV = "RERANK4J_REQUIRE_REDIS";
    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(15);

    private final Path binary;
    private final Path directory;
    private final int port;
    private final Thread shutdownHook;
    private Process process;

    private RedisServerProcess(Path binary, Path directory, int port) {
        this.binary = binary;
        this.directory = directory;
        this.port = port;
        this.shutdownHook = new Thread(this::stopQuietly, "redis-server-" + port + "-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** The redis-server binary: {@value #BINARY_ENV}, else the first {@code redis-server} on PATH or in /usr/bin. */
    public static Optional<Path> findBinary() {
        String configured = System.getenv(BINARY_ENV);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        List<Path> candidates = new ArrayList<>();
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
                if (!dir.isBlank()) {
                    candidates.add(Path.of(dir, "redis-server"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/redis-server"));
        candidates.add(Path.of("/usr/sbin/redis-server"));
        return candidates.stream().filter(Files::isExecutable).findFirst();
    }

    /** Starts redis-server on a free loopback port; fails naming the install command when there is none. */
    public static RedisServerProcess start() {
        Path binary = findBinary().orElseThrow(() -> new IllegalStateException(
                "redis-server not found on PATH (or $" + BINARY_ENV + "): install it, e.g. apt-get install -y redis-server"));
        return start(binary);
    }

    /** Starts the given binary on a free loopback port. */
    public static RedisServerProcess start(Path binary) {
        Path directory;
        try {
            directory = Files.createTempDirectory("rerank4j-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for redis-server", e);
        }
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            RedisServerProcess server = new RedisServerProcess(binary, directory, freePort());
            try {
                server.launch();
                return server;
            } catch (IllegalStateException e) {
                // Another process may have taken the port between probing and binding: try another one.
                last = e;
                server.kill();
                server.removeShutdownHook();
            }
        }
        throw last;
    }

    /**
     * For JUnit tests: a started server, or the test skipped with the reason printed when redis-server is not
     * installed, unless {@value #REQUIRED_ENV} is set (CI), where that is a failure.
     */
    public static RedisServerProcess startOrSkip() {
        Optional<Path> binary = findBinary();
        if (binary.isEmpty()) {
            String message = "redis-server is not installed (apt-get install -y redis-server); test needs a real Redis";
            if (System.getenv(REQUIRED_ENV) != null) {
                throw new IllegalStateException(message + " and " + REQUIRED_ENV + " is set");
            }
            System.err.println("SKIPPED: " + message);
            org.junit.jupiter.api.Assumptions.abort(message);
        }
        return start(binary.get());
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:PORT} */
    public String uri() {
        return "redis://" + host() + ":" + port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Ends the server at once (SIGKILL): clients see refused or reset connections. */
    public synchronized void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitFor(process);
            process = null;
        }
    }

    /** Starts it again on the same port (empty: persistence is off). */
    public synchronized void restart() {
        kill();
        launch();
    }

    /** Sends one command over a plain socket and returns the raw RESP reply (e.g. {@code +PONG}). */
    public String command(String... arguments) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host(), port), 1000);
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("*").append(arguments.length).append("\r\n");
            for (String argument : arguments) {
                byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
                request.append('$').append(bytes.length).append("\r\n").append(argument).append("\r\n");
            }
            out.write(request.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            return readLine(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server on port " + port + " did not answer " + arguments[0], e);
        }
    }

    private synchronized void launch() {
        Path log = directory.resolve("redis.log");
        ProcessBuilder builder = new ProcessBuilder(binary.toString(),
                "--port", Integer.toString(port), "--bind", "127.0.0.1", "--daemonize", "no",
                "--save", "", "--appendonly", "no", "--dir", directory.toString(),
                "--protected-mode", "yes", "--loglevel", "warning")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + binary, e);
        }
        long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + " on port " + port
                        + ": " + tail(log));
            }
            if (answersPing()) {
                return;
            }
            sleep(20);
        }
        process.destroyForcibly();
        throw new IllegalStateException("redis-server did not answer PING on port " + port + " within "
                + STARTUP_TIMEOUT.toSeconds() + " s: " + tail(log));
    }

    private boolean answersPing() {
        try {
            return "+PONG".equals(command("PING"));
        } catch (UncheckedIOException e) {
            return false;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                line.append((char) c);
            }
        }
        return line.toString();
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free loopback port", e);
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void waitFor(Process process) {
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        }
    }

    private void stopQuietly() {
        try {
            kill();
        } catch (RuntimeException ignored) {
            // best effort at JVM exit
        }
    }

    private void removeShutdownHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
    }

    @Override
    public void close() {
        kill();
        removeShutdownHook();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException ignored) {
            // a temp folder left behind is harmless
        }
    }

    @Override
    public String toString() {
        return "redis-server " + uri();
    }
}

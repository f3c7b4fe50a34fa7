package dev.rerank4j.eval.data;

import java.nio.file.Path;

/** Malformed BEIR input: the message names the file and, where there is one, the 1-based line. */
public final class BeirFormatException extends RuntimeException {

    private final Path file;
    private final int line;

    public BeirFormatException(Path file, int line, String message) {
        super(file + (line > 0 ? ":" + line : "") + ": " + message);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, 0 when the problem is the file as a whole. */
    public int line() {
        return line;
    }
}

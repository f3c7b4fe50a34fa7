package dev.rerank4j.eval.bench;

import dev.rerank4j.eval.cli.CommonOptions;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the benchmark subcommands find their inputs when they are not given. */
final class BenchInputs {

    private BenchInputs() {
    }

    /**
     * The given candidate file, else the reference lists beside the shared models:
     * {@code <data>/../../models/candidates/<set>-<split>.tsv}.
     */
    static Path candidates(Path data, String split, Path given) {
        Path dir = data.toAbsolutePath().normalize();
        Path file = given != null ? given : dir.getParent() == null || dir.getParent().getParent() == null ? null
                : dir.getParent().getParent().resolve("models/candidates/" + dir.getFileName() + "-" + split + ".tsv");
        if (file == null || !Files.isRegularFile(file)) {
            throw new IllegalArgumentException("candidates file " + file + " not found; pass --candidates FILE");
        }
        return file;
    }

    /** The given model directory, else the stand-in under ../shared/models; an error naming the option if neither. */
    static Path model(Path given, String sharedName, String option) {
        Path dir = given != null ? given : CommonOptions.sharedModel(sharedName);
        if (dir == null) {
            throw new IllegalArgumentException(option + " is required (no default found at ../shared/models/"
                    + sharedName + ")");
        }
        return dir;
    }
}

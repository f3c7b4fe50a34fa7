package dev.rerank4j.eval.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A pipeline named on the command line: {@code dense}, {@code ce@N} (cross-encoder rerank of the top N),
 * {@code colbert} (MaxSim rerank of all candidates), {@code ce-sla@MS} (adaptive depth under MS milliseconds).
 */
public record PipelineSpec(Kind kind, int parameter) {

    public enum Kind { DENSE, CROSS_ENCODER, COLBERT, CROSS_ENCODER_SLA }

    public String name() {
        return switch (kind) {
            case DENSE -> "dense";
            case CROSS_ENCODER -> "ce@" + parameter;
            case COLBERT -> "colbert";
            case CROSS_ENCODER_SLA -> "ce-sla@" + parameter;
        };
    }

    public static PipelineSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("pipeline name cannot be blank");
        }
        String s = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.equals("dense")) {
            return new PipelineSpec(Kind.DENSE, 0);
        }
        if (s.equals("colbert")) {
            return new PipelineSpec(Kind.COLBERT, 0);
        }
        if (s.startsWith("ce@")) {
            return new PipelineSpec(Kind.CROSS_ENCODER, positive(text, s.substring(3)));
        }
        if (s.startsWith("ce-sla@")) {
            return new PipelineSpec(Kind.CROSS_ENCODER_SLA, positive(text, s.substring(7)));
        }
        throw new IllegalArgumentException("unknown pipeline '" + text
                + "': expected dense, ce@N, colbert or ce-sla@MS");
    }

    /** Parses a comma-separated list; duplicates are dropped. */
    public static List<PipelineSpec> parseList(String list) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("--pipelines cannot be empty");
        }
        Set<PipelineSpec> specs = new LinkedHashSet<>();
        for (String part : list.split(",")) {
            if (!part.isBlank()) {
                specs.add(parse(part));
            }
        }
        return new ArrayList<>(specs);
    }

    private static int positive(String text, String number) {
        try {
            int value = Integer.parseInt(number);
            if (value >= 1) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("pipeline '" + text + "': the number after @ must be a positive integer");
    }
}

package dev.rerank4j.crossencoder.runtime;

import static dev.langchain4j.internal.ValidationUtils.ensureNotNull;
import static dev.langchain4j.internal.ValidationUtils.ensureNotNegative;

/** Where inference runs: the CPU (default) or one CUDA GPU. */
public record Device(Type type, int index) {

    public enum Type { CPU, CUDA }

    public Device {
        ensureNotNull(type, "device type");
        ensureNotNegative(index, "device index");
    }

    public static Device cpu() {
        return new Device(Type.CPU, 0);
    }

    public static Device cuda() {
        return cuda(0);
    }

    public static Device cuda(int index) {
        return new Device(Type.CUDA, index);
    }

    /** Parses {@code cpu}, {@code cuda} or {@code cuda:N} (as on the command line). */
    public static Device parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("device cannot be blank; use cpu, cuda or cuda:N");
        }
        String value = text.trim().toLowerCase(java.util.Locale.ROOT);
        if (value.equals("cpu")) {
            return cpu();
        }
        if (value.equals("cuda") || value.equals("gpu")) {
            return cuda();
        }
        if (value.startsWith("cuda:")) {
            try {
                return cuda(Integer.parseInt(value.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("device '" + text + "' has no valid GPU index; use cuda:N");
            }
        }
        throw new IllegalArgumentException("unknown device '" + text + "'; use cpu, cuda or cuda:N");
    }

    public boolean isGpu() {
        return type == Type.CUDA;
    }

    @Override
    public String toString() {
        return type == Type.CPU ? "cpu" : "cuda:" + index;
    }
}

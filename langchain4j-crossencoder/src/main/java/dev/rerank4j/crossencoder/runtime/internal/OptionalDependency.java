package dev.rerank4j.crossencoder.runtime.internal;

/**
 * Features whose libraries are optional Maven dependencies check for them first, so a missing one fails with the
 * artifact to add instead of a {@link NoClassDefFoundError} deep inside a call.
 */
public final class OptionalDependency {

    private OptionalDependency() {
    }

    /** True when {@code className} can be loaded. */
    public static boolean isPresent(String className) {
        try {
            Class.forName(className, false, OptionalDependency.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * @param className a class of the optional library
     * @param artifact  its Maven coordinates, e.g. {@code me.tongfei:progressbar}
     * @param feature   what needs it, e.g. {@code showProgress(true)}
     * @throws IllegalStateException naming the artifact when the class is missing
     */
    public static void require(String className, String artifact, String feature) {
        if (!isPresent(className)) {
            throw new IllegalStateException(feature + " needs " + artifact + " on the classpath (an optional dependency "
                    + "of rerank4j): add it to your build");
        }
    }
}

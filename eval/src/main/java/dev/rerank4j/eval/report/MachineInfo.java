package dev.rerank4j.eval.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The machine a run measured on (latencies mean little without it). */
public final class MachineInfo {

    /**
     * The CPU flags that choose ONNX Runtime's and PyTorch's kernels (AVX2 vs AVX-512 GEMMs, VNNI int8 dot products,
     * AMX tiles). A hypervisor often reports only "AMD EPYC": these and the family/model tell the CPUs apart.
     */
    private static final List<String> KERNEL_FLAGS = List.of("avx2", "fma", "avx512f", "avx512_vnni", "avx512_bf16",
            "avx_vnni", "amx_tile");

    private MachineInfo() {
    }

    public static Map<String, Object> describe() {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        Map<String, String> cpu = firstProcessor(Path.of("/proc/cpuinfo"));
        machine.put("cpu", cpu.getOrDefault("model name", "unknown"));
        machine.put("cpu_id", cpuId(cpu));
        machine.put("cpu_flags", kernelFlags(cpu));
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("arch", System.getProperty("os.arch"));
        machine.put("jvm", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
        machine.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
        return machine;
    }

    /** "family 25 model 1 stepping 1" (x86), or "unknown". */
    static String cpuId(Map<String, String> cpu) {
        if (!cpu.containsKey("cpu family") || !cpu.containsKey("model")) {
            return "unknown";
        }
        return "family " + cpu.get("cpu family") + " model " + cpu.get("model")
                + (cpu.containsKey("stepping") ? " stepping " + cpu.get("stepping") : "");
    }

    /** The {@link #KERNEL_FLAGS} this CPU has, in that order, space-separated ("" when none or unknown). */
    static String kernelFlags(Map<String, String> cpu) {
        Set<String> flags = Arrays.stream(cpu.getOrDefault("flags", "").split("\\s+")).collect(Collectors.toSet());
        return KERNEL_FLAGS.stream().filter(flags::contains).collect(Collectors.joining(" "));
    }

    /** The "key : value" lines of the first processor in a /proc/cpuinfo file; empty when it cannot be read. */
    static Map<String, String> firstProcessor(Path cpuinfo) {
        Map<String, String> fields = new LinkedHashMap<>();
        if (!Files.isReadable(cpuinfo)) {
            return fields;
        }
        try (var lines = Files.lines(cpuinfo)) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.isBlank() && !fields.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    fields.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            fields.clear();
        }
        return fields;
    }
}

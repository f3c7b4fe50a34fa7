package dev.rerank4j.eval.report;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class MachineInfoTest {

    @TempDir
    Path dir;

    @Test
    void tells_two_cpus_a_hypervisor_names_alike_apart_by_family_model_and_kernel_flags() throws Exception {
        Path zen3 = cpuinfo("25", "1", "fpu sse2 avx fma avx2 bmi2 vaes");
        Path zen4 = cpuinfo("25", "17", "fpu sse2 avx fma avx2 avx512f avx512dq avx512_bf16 avx512_vnni");

        Map<String, String> first = MachineInfo.firstProcessor(zen3);
        assertThat(first).containsEntry("model name", "AMD EPYC").containsEntry("processor", "0");
        assertThat(MachineInfo.cpuId(first)).isEqualTo("family 25 model 1 stepping 1");
        assertThat(MachineInfo.kernelFlags(first)).isEqualTo("avx2 fma");

        Map<String, String> other = MachineInfo.firstProcessor(zen4);
        assertThat(MachineInfo.cpuId(other)).isEqualTo("family 25 model 17 stepping 1");
        assertThat(MachineInfo.kernelFlags(other)).isEqualTo("avx2 fma avx512f avx512_vnni avx512_bf16");
    }

    @Test
    void an_unreadable_cpuinfo_says_unknown() {
        Map<String, String> none = MachineInfo.firstProcessor(dir.resolve("absent"));
        assertThat(none).isEmpty();
        assertThat(MachineInfo.cpuId(none)).isEqualTo("unknown");
        assertThat(MachineInfo.kernelFlags(none)).isEmpty();
        assertThat(MachineInfo.describe()).containsKeys("cores", "cpu", "cpu_id", "cpu_flags");
    }

    /** Two processors; the second's values differ so that reading past the first shows. */
    private Path cpuinfo(String family, String model, String flags) throws Exception {
        String first = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: " + family + "\nmodel\t\t: " + model
                + "\nmodel name\t: AMD EPYC\nstepping\t: 1\nflags\t\t: " + flags + "\n\n";
        String second = "processor\t: 1\ncpu family\t: 99\nmodel\t\t: 99\nmodel name\t: other\nflags\t\t: amx_tile\n\n";
        Path file = dir.resolve("cpuinfo-" + family + "-" + model);
        Files.writeString(file, first + second);
        return file;
    }
}

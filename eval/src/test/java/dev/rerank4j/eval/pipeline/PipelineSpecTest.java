package dev.rerank4j.eval.pipeline;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineSpecTest {

    @Test
    void parses_the_pipeline_names_of_the_command_line() {
        assertThat(PipelineSpec.parseList("dense, ce@30,colbert,ce-sla@200,dense"))
                .extracting(PipelineSpec::name).containsExactly("dense", "ce@30", "colbert", "ce-sla@200");
        assertThat(PipelineSpec.parse("CE@5")).isEqualTo(new PipelineSpec(PipelineSpec.Kind.CROSS_ENCODER, 5));
    }

    @Test
    void rejects_unknown_names_and_non_positive_numbers() {
        assertThatThrownBy(() -> PipelineSpec.parse("bm25")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bm25");
        assertThatThrownBy(() -> PipelineSpec.parse("ce@0")).hasMessageContaining("positive");
        assertThatThrownBy(() -> PipelineSpec.parse("ce@x")).hasMessageContaining("ce@x");
        assertThatThrownBy(() -> PipelineSpec.parseList(" ")).hasMessageContaining("--pipelines");
    }
}

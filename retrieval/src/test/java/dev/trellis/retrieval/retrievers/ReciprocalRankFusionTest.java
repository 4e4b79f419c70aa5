package dev.trellis.retrieval.retrievers;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ReciprocalRankFusionTest {

    @Test
    void itemsRankedByBothListsWinAndScoresAreOneOverKPlusRank() {
        List<ReciprocalRankFusion.Fused<String>> fused = ReciprocalRankFusion.fuse(
                List.of(List.of("a", "b", "c"), List.of("c", "d", "a")), Function.identity(), 60);

        assertThat(fused).extracting(ReciprocalRankFusion.Fused::key).containsExactly("a", "c", "b", "d");
        assertThat(fused.get(0).score()).isCloseTo(1.0 / 61 + 1.0 / 63, within(1e-12));
        assertThat(fused.get(2).score()).isCloseTo(1.0 / 62, within(1e-12));
    }
}

package dev.trellis.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.document.Document;
import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.rag.content.Content;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The local model's context in the quickstart: whole catalogue rows, once each, without their descriptions. */
class QuickstartContextTest {

    static final String ROW_7 = "id: TR-0007\nname: Tarn Shirt in Navy\ndescription: A shirt. Price $91.00.\ncategory: Shirt\n"
            + "collection: Tarn\nfabric: hemp\ncolor: navy\nupf: 40\npockets: 5\nprice: 91.00";
    static final String ROW_9 = "id: TR-0009\nname: Fjord Cap in Moss\ndescription: A cap.\ncategory: Cap\nprice: 20.00";

    static Content segment(String text, int row) {
        return Content.from(TextSegment.from(text, new Metadata().put("row", row)));
    }

    @Test
    void aRowSplitIntoSegmentsReachesTheModelWholeAndOnce() {
        Map<Integer, Document> rows = Map.of(7, Document.from(ROW_7, new Metadata().put("row", 7)),
                9, Document.from(ROW_9, new Metadata().put("row", 9)));
        List<Content> retrieved = List.of(
                segment("id: TR-0007\nname: Tarn Shirt in Navy\ndescription: A shirt.", 7), // the head of row 7: no price
                segment("id: TR-0009\nname: Fjord Cap in Moss", 9),
                segment("collection: Tarn\nfabric: hemp\ncolor: navy\nupf: 40\npockets: 5\nprice: 91.00", 7));

        List<String> context = QuickstartCommand.wholeRowsWithoutDescription(retrieved, rows).stream()
                .map(c -> c.textSegment().text()).toList();

        assertThat(context).containsExactly(
                "id: TR-0007\nname: Tarn Shirt in Navy\ncategory: Shirt\ncollection: Tarn\nfabric: hemp\ncolor: navy\nupf: 40\n"
                        + "pockets: 5\nprice: 91.00",
                "id: TR-0009\nname: Fjord Cap in Moss\ncategory: Cap\nprice: 20.00");
    }
}

package dev.trellis.finetune.pretrain;

import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.function.Function;

/**
 * One kind of record in the reading corpus (books, flights, invoices...): its noun, how its names are
 * made, and its fields with the questions each field can be asked.
 *
 * @param noun     singular noun used in questions and in the "not in the context" refusal ("book")
 * @param plural   plural noun ("books")
 * @param article  what goes before a name inside a sentence ("the " for "the Harbor Lantern", "" for people)
 * @param idPrefixes the letter prefixes its ids may take ("BK", "BOOK"); never "TR", the catalogue's
 * @param names    makes a fresh made-up name
 * @param fields   the fields besides {@code id} and {@code name}
 */
public record RecordSchema(String noun, String plural, String article, List<String> idPrefixes,
                           Function<Random, String> names, List<Field> fields) {

    public RecordSchema {
        Objects.requireNonNull(noun, "noun");
        idPrefixes = List.copyOf(idPrefixes);
        fields = List.copyOf(fields);
        if (idPrefixes.contains("TR")) {
            throw new IllegalArgumentException("id prefix TR is the shipped catalogue's; the reading corpus must not imitate its ids");
        }
    }

    /** How a field's value is compared and asked about. */
    public enum Kind {
        /** A word or phrase from a small set: asked, reverse-looked-up and counted. */
        CATEGORY,
        /** A whole number: asked and compared ("more", "fewer"). */
        NUMBER,
        /** A price: shown as {@code 14.50} or {@code $14.50}, always answered {@code $14.50}; compared. */
        PRICE,
        /** A date {@code 2024-03-17}: asked and compared ("earlier", "later"). */
        DATE,
        /** Free text unique to its record (a person's name, an address): asked and reverse-looked-up. */
        TEXT,
        /**
         * A rating named by an acronym key ({@code upf: 50+}, {@code ipx: none}): questions spell the key in
         * capitals ("What UPF rating ..."), which shares no token with the lower-case key, and the answer wraps
         * the value: {@code UPF 50+}, or {@code No UPF rating} for {@code none}.
         */
        RATING
    }

    /**
     * A field of a record.
     *
     * @param key       the name shown in the context ({@code author})
     * @param kind      how its values compare
     * @param values    makes a value
     * @param asks      questions for the value, {@code {name}} standing for the record's name with its article
     * @param reverse   a question naming the value ({@code {value}}) whose answer is the record's name; null: none
     * @param more      for numbers, prices and dates: "Which {noun} ..., {a} or {b}?" picking the larger; null: none
     * @param less      the same, picking the smaller; null: none
     * @param describe  a sentence stating the value for prose ({@code {name}}, {@code {value}})
     */
    public record Field(String key, Kind kind, Function<Random, String> values, List<String> asks, String reverse,
                        String more, String less, String describe) {
        public Field {
            Objects.requireNonNull(key, "key");
            asks = List.copyOf(asks);
        }
    }
}

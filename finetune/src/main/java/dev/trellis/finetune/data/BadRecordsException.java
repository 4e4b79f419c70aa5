package dev.trellis.finetune.data;

import java.util.List;
import java.util.stream.Collectors;

/** Thrown under {@link BadRecordPolicy#FAIL}: lists every bad record with its line number. */
public class BadRecordsException extends DatasetFormatException {

    private static final int SHOWN = 10;
    private final List<BadRecord> badRecords;

    public BadRecordsException(String source, List<BadRecord> badRecords) {
        super(message(source, badRecords));
        this.badRecords = List.copyOf(badRecords);
    }

    private static String message(String source, List<BadRecord> bad) {
        String shown = bad.stream().limit(SHOWN).map(b -> "  line " + b.line() + ": " + b.reason() + " - " + b.detail())
                .collect(Collectors.joining("\n"));
        return source + " has " + bad.size() + " bad record" + (bad.size() == 1 ? "" : "s") + ":\n" + shown
                + (bad.size() > SHOWN ? "\n  ... and " + (bad.size() - SHOWN) + " more" : "")
                + "\nFix them, or pass onBadRecord(BadRecordPolicy.SKIP) to leave them out.";
    }

    /** Every bad record found, in file order. */
    public List<BadRecord> badRecords() {
        return badRecords;
    }
}

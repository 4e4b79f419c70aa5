package dev.trellis.finetune.data;

/** What to do when records are bad: stop with a {@link BadRecordsException}, or skip and report them. */
public enum BadRecordPolicy {
    /** Throw {@link BadRecordsException} listing every bad record (the default). */
    FAIL,
    /** Leave bad records out; they stay listed in the dataset's {@code badRecords()}. */
    SKIP
}

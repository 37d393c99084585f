package dev.labbook.sdk;

/**
 * How to store an uploaded file.
 *
 * @param direction input or output (default output)
 * @param mediaType empty lets the server guess from the path
 * @param step      image series step, or null
 * @param uploadId  a UUID naming the upload so that it can be resumed, also by another process;
 *                  null makes a random one
 */
public record UploadOptions(Direction direction, String mediaType, Long step, String uploadId) {
    public static final UploadOptions OUTPUT = new UploadOptions(Direction.OUTPUT, "", null, null);

    public UploadOptions {
        direction = direction == null ? Direction.OUTPUT : direction;
        mediaType = mediaType == null ? "" : mediaType;
    }

    public static UploadOptions of(Direction direction) {
        return new UploadOptions(direction, "", null, null);
    }

    public UploadOptions withStep(long s) {
        return new UploadOptions(direction, mediaType, s, uploadId);
    }

    public UploadOptions withMediaType(String m) {
        return new UploadOptions(direction, m, step, uploadId);
    }

    public UploadOptions withUploadId(String id) {
        return new UploadOptions(direction, mediaType, step, id);
    }
}

package dev.rerank4j.crossencoder.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One file of the hub's tree listing: path, size, and its hash when the listing gives one: the SHA-256 of an LFS
 * file ({@code lfs.oid}), else the Git blob id ({@code oid}). For LFS files {@code oid} is the id of the pointer file,
 * not of the content, so it is not used.
 *
 * @param size -1 when unknown
 */
record RemoteFile(String path, long size, String sha256, String gitOid) {

    static RemoteFile from(JsonNode entry) {
        String path = entry.get("path").asText();
        long size = entry.path("size").canConvertToLong() ? entry.path("size").asLong() : -1;
        JsonNode lfs = entry.get("lfs");
        if (lfs != null && lfs.isObject()) {
            long lfsSize = lfs.path("size").canConvertToLong() ? lfs.path("size").asLong() : size;
            return new RemoteFile(path, lfsSize, lfs.path("oid").asText(null), null);
        }
        return new RemoteFile(path, size, null, entry.path("oid").asText(null));
    }

    boolean hasHash() {
        return sha256 != null || gitOid != null;
    }
}

package dev.labbook.server.store.postgres;

/** Where the metadata database is: a JDBC URL and credentials. */
public record DatabaseEndpoint(String jdbcUrl, String user, String password) {
    @Override
    public String toString() {
        return "DatabaseEndpoint[" + jdbcUrl + ", user=" + user + "]";
    }
}

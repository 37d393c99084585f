package dev.labbook.server.store.postgres;

import static dev.labbook.server.store.postgres.SqlSupport.toInstant;
import static dev.labbook.server.store.postgres.SqlSupport.toTimestamp;
import static dev.labbook.server.store.postgres.internal.generated.Tables.API_TOKEN;

import dev.labbook.server.domain.access.ApiToken;
import dev.labbook.server.domain.access.Role;
import dev.labbook.server.store.TokenRepository;
import dev.labbook.server.store.postgres.internal.generated.tables.records.ApiTokenRecord;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** API tokens in table api_token. */
final class PostgresTokenRepository implements TokenRepository {
    /** Key of the advisory lock of the first-start bootstrap ("lbk_boot" in ASCII). */
    private static final long BOOTSTRAP_LOCK = 0x6c626b5f626f6f74L;

    private final DSLContext dsl;

    PostgresTokenRepository(DSLContext dsl) {
        this.dsl = dsl;
    }

    @Override
    public boolean insert(ApiToken token, byte[] secretHash) {
        return dsl.insertInto(API_TOKEN)
                .set(API_TOKEN.ID, token.id())
                .set(API_TOKEN.NAME, token.name())
                .set(API_TOKEN.PROJECT, token.project())
                .set(API_TOKEN.ROLE, token.role().key())
                .set(API_TOKEN.SECRET_HASH, hex(secretHash))
                .set(API_TOKEN.PREFIX, token.prefix())
                .set(API_TOKEN.CREATOR, token.creator())
                .set(API_TOKEN.CREATED_AT, toTimestamp(token.createdAt()))
                .set(API_TOKEN.EXPIRES_AT, toTimestamp(token.expiresAt()))
                .set(API_TOKEN.REVOKED_AT, toTimestamp(token.revokedAt()))
                .set(API_TOKEN.LAST_USED_AT, toTimestamp(token.lastUsedAt()))
                .onConflict(API_TOKEN.SECRET_HASH).doNothing()
                .execute() == 1;
    }

    @Override
    public Optional<ApiToken> findByHash(byte[] secretHash) {
        return dsl.selectFrom(API_TOKEN).where(API_TOKEN.SECRET_HASH.eq(hex(secretHash))).fetchOptional()
                .map(PostgresTokenRepository::toToken);
    }

    @Override
    public Optional<ApiToken> findById(UUID id) {
        return dsl.selectFrom(API_TOKEN).where(API_TOKEN.ID.eq(id)).fetchOptional()
                .map(PostgresTokenRepository::toToken);
    }

    @Override
    public boolean any() {
        return dsl.fetchExists(API_TOKEN);
    }

    @Override
    public List<ApiToken> list(Collection<String> projects, Instant activeAt, UUID beforeId, int limit) {
        Condition condition = DSL.noCondition();
        if (projects != null) {
            condition = condition.and(API_TOKEN.PROJECT.in(projects));
        }
        if (activeAt != null) {
            OffsetDateTime at = toTimestamp(activeAt);
            condition = condition.and(API_TOKEN.REVOKED_AT.isNull())
                    .and(API_TOKEN.EXPIRES_AT.isNull().or(API_TOKEN.EXPIRES_AT.gt(at)));
        }
        if (beforeId != null) {
            condition = condition.and(API_TOKEN.ID.lt(beforeId));
        }
        return dsl.selectFrom(API_TOKEN).where(condition).orderBy(API_TOKEN.ID.desc()).limit(limit)
                .fetch(PostgresTokenRepository::toToken);
    }

    @Override
    public Optional<ApiToken> revoke(UUID id, Instant at) {
        return dsl.update(API_TOKEN)
                .set(API_TOKEN.REVOKED_AT, DSL.coalesce(API_TOKEN.REVOKED_AT, DSL.val(toTimestamp(at))))
                .where(API_TOKEN.ID.eq(id))
                .returning()
                .fetchOptional()
                .map(PostgresTokenRepository::toToken);
    }

    @Override
    public void recordUse(Map<UUID, Instant> lastUse) {
        // One UPDATE per token: these come at most once a minute per token, in small groups.
        for (Map.Entry<UUID, Instant> use : lastUse.entrySet()) {
            OffsetDateTime at = toTimestamp(use.getValue());
            dsl.update(API_TOKEN)
                    .set(API_TOKEN.LAST_USED_AT, at)
                    .where(API_TOKEN.ID.eq(use.getKey())
                            .and(API_TOKEN.LAST_USED_AT.isNull().or(API_TOKEN.LAST_USED_AT.lt(at))))
                    .execute();
        }
    }

    @Override
    public void lockBootstrap() {
        dsl.select(DSL.field("pg_advisory_xact_lock({0})", Object.class, DSL.val(BOOTSTRAP_LOCK))).fetch();
    }

    /** Hashes are stored as lower-case hex: char(64). */
    private static String hex(byte[] hash) {
        return HexFormat.of().formatHex(hash);
    }

    private static ApiToken toToken(ApiTokenRecord r) {
        return new ApiToken(r.getId(), r.getName(), r.getProject(), Role.parse("role", r.getRole()), r.getPrefix(),
                r.getCreator(), toInstant(r.getCreatedAt()), toInstant(r.getExpiresAt()),
                toInstant(r.getRevokedAt()), toInstant(r.getLastUsedAt()));
    }
}

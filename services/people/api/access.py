"""Identity RPCs: JWKS, login, passwords, tokens, service accounts, signing keys, revocations,
roles and their holders, the audit log and the event feed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeAlias

import grpc
from google.protobuf import timestamp_pb2
from storeops.people.v1 import access_pb2 as apb
from storeops.people.v1 import people_service_pb2 as pb

from services.common.audit import AuditQuery, StoredAuditEntry
from services.people.api.base import Base
from services.people.api.convert import instant, timestamp
from services.people.db.access_repo import RevocationRow, RoleRow, ServiceAccountRow
from services.people.domain.roles import RoleSource
from services.people.service import accounts, feed, roles, tokens
from services.people.service.accounts import AccountView
from services.people.service.keystore import SigningKey
from services.people.service.roles import EmployeeAccess

Ctx: TypeAlias = grpc.aio.ServicerContext


def _expiry(seconds: int) -> timestamp_pb2.Timestamp:
    return timestamp_pb2.Timestamp(seconds=seconds)


def account_message(view: AccountView) -> apb.Account:
    return apb.Account(
        employee_code=view.employee_code,
        has_password=view.has_password,
        password_change_time=timestamp(view.password_changed_at),
        last_login_time=timestamp(view.last_login_at),
        consecutive_failures=view.consecutive_failures,
        locked_until=timestamp(view.locked_until),
    )


def role_message(row: RoleRow) -> apb.Role:
    return apb.Role(
        code=row.role.code,
        name=row.role.name,
        description=row.role.description,
        patterns=list(row.role.patterns),
        create_time=timestamp(row.created_at),
        update_time=timestamp(row.updated_at),
    )


def employee_roles_message(access: EmployeeAccess) -> apb.EmployeeRoles:
    return apb.EmployeeRoles(
        employee_code=access.row.employee.code,
        position_code=access.row.employee.position_code,
        roles=[
            apb.RoleGrant(
                role_code=code,
                source=apb.RoleGrant.POSITION
                if source is RoleSource.POSITION
                else apb.RoleGrant.ASSIGNED,
            )
            for code, source in access.roles.held
        ],
        removed_position_roles=list(access.roles.suppressed_position_roles),
    )


def service_account_message(row: ServiceAccountRow, secret: str = "") -> apb.ServiceAccount:
    return apb.ServiceAccount(
        client_id=row.client_id,
        roles=list(row.roles),
        active=row.active,
        client_secret=secret,
        create_time=timestamp(row.created_at),
        update_time=timestamp(row.updated_at),
    )


def revocation_message(row: RevocationRow) -> apb.Revocation:
    return apb.Revocation(
        subject=row.subject, revoke_time=timestamp(row.revoked_at), reason=row.reason
    )


def audit_message(stored: StoredAuditEntry) -> apb.AuditEntry:
    e = stored.entry
    return apb.AuditEntry(
        id=stored.id,
        occur_time=timestamp(stored.occurred_at),
        actor=e.actor,
        actor_kind=e.actor_kind,
        action=e.action,
        resource=e.resource,
        subject=e.subject or "",
        category=e.category or "",
        basis=e.basis or "",
        allowed=e.allowed,
        details={k: str(v) for k, v in e.details.items()},
        request_id=e.request_id,
    )


class AccessRpcs(Base):
    def _key_message(self, key: SigningKey) -> apb.SigningKey:
        return apb.SigningKey(
            kid=key.kid,
            create_time=timestamp(datetime.fromtimestamp(key.created, UTC)),
            active_from=timestamp(datetime.fromtimestamp(self.keys.active_from(key), UTC)),
            signing=key.kid == self.keys.signing_key().kid,
        )

    async def GetJwks(self, request: pb.GetJwksRequest, context: Ctx) -> pb.GetJwksResponse:
        return pb.GetJwksResponse(keys=[pb.Jwk(**jwk) for jwk in self.keys.jwks()])

    async def Login(self, request: apb.LoginRequest, context: Ctx) -> apb.LoginResponse:
        result = await accounts.login(
            self.people, self.hashing, self.issuer, request.employee_code, request.password
        )
        return apb.LoginResponse(
            access_token=result.token.token,
            expire_time=_expiry(result.token.expires_at),
            employee_code=result.employee_code,
            roles=list(result.roles),
            permissions=list(result.token.permissions),
        )

    async def ChangePassword(self, request: apb.ChangePasswordRequest, context: Ctx) -> apb.Account:
        view = await accounts.change_password(
            self.people, self.hashing, request.current_password, request.password
        )
        return account_message(view)

    async def SetPassword(self, request: apb.SetPasswordRequest, context: Ctx) -> apb.Account:
        view = await accounts.set_password(
            self.people, self.hashing, request.employee_code, request.password
        )
        return account_message(view)

    async def GetAccount(self, request: apb.GetAccountRequest, context: Ctx) -> apb.Account:
        return account_message(await accounts.get_account(self.people, request.employee_code))

    async def IssueToken(
        self, request: pb.IssueTokenRequest, context: Ctx
    ) -> pb.IssueTokenResponse:
        issued = await tokens.issue_employee_token(
            self.people,
            self.issuer,
            tokens.IssueEmployeeToken(
                request.employee_code, tuple(request.roles), request.ttl_seconds
            ),
        )
        return pb.IssueTokenResponse(
            access_token=issued.token,
            expire_time=_expiry(issued.expires_at),
            permissions=list(issued.permissions),
        )

    async def CreateServiceToken(
        self, request: pb.CreateServiceTokenRequest, context: Ctx
    ) -> pb.CreateServiceTokenResponse:
        issued = await tokens.create_service_token(
            self.people, self.issuer, request.client_id, request.client_secret
        )
        return pb.CreateServiceTokenResponse(
            access_token=issued.token, expire_time=_expiry(issued.expires_at)
        )

    async def CreateServiceAccount(
        self, request: apb.CreateServiceAccountRequest, context: Ctx
    ) -> apb.ServiceAccount:
        row, secret = await tokens.create_service_account(
            self.people, request.client_id, list(request.roles)
        )
        return service_account_message(row, secret)

    async def ListServiceAccounts(
        self, request: apb.ListServiceAccountsRequest, context: Ctx
    ) -> apb.ListServiceAccountsResponse:
        rows, token = await tokens.list_service_accounts(
            self.people, request.page_size, request.page_token
        )
        return apb.ListServiceAccountsResponse(
            service_accounts=[service_account_message(r) for r in rows], next_page_token=token
        )

    async def RotateServiceAccountSecret(
        self, request: apb.RotateServiceAccountSecretRequest, context: Ctx
    ) -> apb.ServiceAccount:
        row, secret = await tokens.rotate_service_account_secret(self.people, request.client_id)
        return service_account_message(row, secret)

    async def ListSigningKeys(
        self, request: apb.ListSigningKeysRequest, context: Ctx
    ) -> apb.ListSigningKeysResponse:
        return apb.ListSigningKeysResponse(
            signing_keys=[self._key_message(k) for k in self.keys.published()]
        )

    async def RotateSigningKey(
        self, request: apb.RotateSigningKeyRequest, context: Ctx
    ) -> apb.SigningKey:
        return self._key_message(
            await tokens.rotate_signing_key(self.people, self.keys, request.reason)
        )

    async def RetireSigningKey(
        self, request: apb.RetireSigningKeyRequest, context: Ctx
    ) -> apb.SigningKey:
        key = await tokens.retire_signing_key(
            self.people, self.keys, request.kid, self.token_settings.retire_key_after_seconds
        )
        return apb.SigningKey(
            kid=key.kid,
            create_time=timestamp_pb2.Timestamp(seconds=int(key.created)),
            signing=False,
        )

    async def RevokeTokens(self, request: apb.RevokeTokensRequest, context: Ctx) -> apb.Revocation:
        return revocation_message(await tokens.revoke(self.people, request.subject, request.reason))

    async def ListRevocations(
        self, request: apb.ListRevocationsRequest, context: Ctx
    ) -> apb.ListRevocationsResponse:
        rows, cursor = await tokens.list_revocations(
            self.people,
            request.after,
            request.page_size,
            self.token_settings.revocation_retention_seconds,
        )
        return apb.ListRevocationsResponse(
            revocations=[revocation_message(r) for r in rows], next_cursor=cursor
        )

    async def ListRoles(self, request: apb.ListRolesRequest, context: Ctx) -> apb.ListRolesResponse:
        rows, token = await roles.list_roles(self.people, request.page_size, request.page_token)
        return apb.ListRolesResponse(roles=[role_message(r) for r in rows], next_page_token=token)

    async def GetRole(self, request: apb.GetRoleRequest, context: Ctx) -> apb.Role:
        return role_message(await roles.get_role(self.people, request.role_code))

    async def CreateRole(self, request: apb.CreateRoleRequest, context: Ctx) -> apb.Role:
        row = await roles.create_role(
            self.people,
            code=request.code,
            name=request.name,
            description=request.description,
            patterns=list(request.patterns),
        )
        return role_message(row)

    async def UpdateRole(self, request: apb.UpdateRoleRequest, context: Ctx) -> apb.Role:
        row = await roles.update_role(
            self.people,
            code=request.role_code,
            mask=set(request.update_mask.paths),
            name=request.name,
            description=request.description,
            patterns=list(request.patterns),
        )
        return role_message(row)

    async def ListEmployeeRoles(
        self, request: apb.ListEmployeeRolesRequest, context: Ctx
    ) -> apb.EmployeeRoles:
        return employee_roles_message(
            await roles.list_employee_roles(self.people, request.employee_code)
        )

    async def AssignRole(self, request: apb.AssignRoleRequest, context: Ctx) -> apb.EmployeeRoles:
        return employee_roles_message(
            await roles.assign_role(self.people, request.employee_code, request.role_code)
        )

    async def UnassignRole(
        self, request: apb.UnassignRoleRequest, context: Ctx
    ) -> apb.EmployeeRoles:
        return employee_roles_message(
            await roles.unassign_role(self.people, request.employee_code, request.role_code)
        )

    async def ListAuditEntries(
        self, request: apb.ListAuditEntriesRequest, context: Ctx
    ) -> apb.ListAuditEntriesResponse:
        query = AuditQuery(
            actor=request.actor,
            subject=request.subject,
            action_prefix=request.action_prefix,
            category=request.category,
            from_time=instant(request.from_time, request.HasField("from_time"), "from_time"),
            to_time=instant(request.to_time, request.HasField("to_time"), "to_time"),
        )
        rows, token = await feed.audit_entries(
            self.people, query, request.page_size, request.page_token
        )
        return apb.ListAuditEntriesResponse(
            entries=[audit_message(r) for r in rows], next_page_token=token
        )

    async def ListEvents(
        self, request: pb.ListEventsRequest, context: Ctx
    ) -> pb.ListEventsResponse:
        return await feed.read_events(self.people, request.after, request.page_size)

import { Controller, UseFilters, UseGuards, UsePipes } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type IntrospectionResponse, IntrospectionService, RevocationService, type TokenResponse } from 'nest-oauth-server';
import { FirstPartyIssuanceService } from './first-party-issuance.service';
import { messageSubject } from './message-subjects';
import { IssueMessageDto } from './messages/issue-message.dto';
import { TokenMessageDto } from './messages/token-message.dto';
import { RpcErrorFilter } from './rpc-error.filter';
import { rpcValidationPipe } from './rpc-validation.pipe';
import { SharedSecretGuard } from './shared-secret.guard';

/** The microservice face: thin adapters over the services behind the HTTP endpoints. */
@Controller()
@UseFilters(RpcErrorFilter)
@UseGuards(SharedSecretGuard)
@UsePipes(rpcValidationPipe())
export class OAuthMessagesController {
  constructor(
    private readonly introspection: IntrospectionService,
    private readonly revocation: RevocationService,
    private readonly issuance: FirstPartyIssuanceService,
  ) {}

  @MessagePattern(messageSubject('introspect'))
  introspect(@Payload() message: TokenMessageDto): Promise<IntrospectionResponse> {
    return this.introspection.introspect(message.token, message.token_type_hint);
  }

  /** A trusted service may revoke any client's token. */
  @MessagePattern(messageSubject('revoke'))
  async revoke(@Payload() message: TokenMessageDto): Promise<{ revoked: boolean }> {
    return { revoked: await this.revocation.revoke(message.token, message.token_type_hint, { kind: 'service' }) };
  }

  @MessagePattern(messageSubject('issue'))
  issue(@Payload() message: IssueMessageDto): Promise<TokenResponse> {
    return this.issuance.issue(message.client_id, message.subject, message.scope);
  }
}

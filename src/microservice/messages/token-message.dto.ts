import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/** `oauth.introspect` and `oauth.revoke`: the RFC 7662 / RFC 7009 request parameters. */
export class TokenMessageDto {
  @IsString() @IsNotEmpty() @MaxLength(8192)
  token: string;

  @IsOptional() @IsString() @MaxLength(64)
  token_type_hint?: string;
}

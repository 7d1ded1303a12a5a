import { ApiProperty } from '@nestjs/swagger';

/** GET /v1/nodes (SPEC §11): each gateway process's (cluster primary's) last heartbeat. */
export class NodeDto {
  @ApiProperty({ description: 'GATEWAY_NODE_NAME, default `<hostname>:<port>`' }) name: string;
  @ApiProperty({ description: 'the gateway package version' }) version: string;
  @ApiProperty({ type: Number, nullable: true, description: 'the lowest revision any of its workers enforces' }) revision: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'store revision minus the node revision' }) lag: number | null;
  @ApiProperty({ enum: ['live', 'stale'], description: 'stale: no heartbeat for 3 of its periods (rows stale for 24 h are removed)' }) status: 'live' | 'stale';
  @ApiProperty({ description: 'worker processes serving' }) workers: number;
  @ApiProperty({ description: 'its GATEWAY_HEARTBEAT_S' }) heartbeat_s: number;
  @ApiProperty() started_at: string;
  @ApiProperty() last_seen: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'object', additionalProperties: { type: 'number' } },
    description: 'requests since it started, by route then outcome (what its /metrics counts)',
    example: { orders: { allowed: 120, unauthorized: 3 } },
  })
  counters: Record<string, Record<string, number>>;
}

export class NodeListDto {
  @ApiProperty({ type: [NodeDto] }) items: NodeDto[];
  @ApiProperty() total: number;
}

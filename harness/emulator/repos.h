/* repos.h: the repository operations of the emulator (CreateRepository,
 * DescribeRepositories, DeleteRepository, ListTagsForResource). Each runs one request held in an
 * op_call (ops.h) with the store lock held, and leaves the reply in it. */
#ifndef ECR_EMU_REPOS_H
#define ECR_EMU_REPOS_H

#include "ops.h"

void ecremu_repos_create(op_call *c);
void ecremu_repos_describe(op_call *c);
void ecremu_repos_delete(op_call *c);
/* ListTagsForResource on a repository ARN of this registry: the tags given
 * to CreateRepository (the harness tags what it creates on a live target,
 * docs/LIVE.md). */
void ecremu_repos_list_tags(op_call *c);

/* The Repository shape of r as ECR returns it (new reference, NULL when out
 * of memory). */
json_object *ecremu_repos_json(const api_ctx *ctx, const store_repo *r);

#endif

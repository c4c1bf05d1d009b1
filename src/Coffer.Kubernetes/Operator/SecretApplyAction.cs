namespace Coffer.Kubernetes.Operator;

internal enum SecretApplyAction
{
    None,
    Create,
    Replace,
    Refuse,
}
